<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>glmdesk::app::AppServer</name>
    <message>
        <source>Letting other computers use the server needs an API key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server could not start on port %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::app::ConversationStore</name>
    <message>
        <source>Database statement failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The conversation store is already open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder for conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qt&apos;s SQLite driver (QSQLITE) is not installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the conversation database %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot switch the conversation database to WAL mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The conversation database %1 is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The conversation store is not open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the schema version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The conversation database was written by a newer GLM Desk (schema %1; this version reads up to %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot start the schema migration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schema migration to version %1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create a conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot rename the conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No conversation %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the conversation&apos;s settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot delete the conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot restore the conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No deleted conversation %1 to restore</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot remove deleted conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot list the conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot search the conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot update the conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No message %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot remove the messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot mark interrupted answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save the tool call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No tool call %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the tool calls</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::app::RemoteEngine</name>
    <message>
        <source>Cannot reach the server at %1 (%2). Check the address and that the server is running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request to %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 refused the API key (HTTP %2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not found on the server at %1 (HTTP 404; is the model name &quot;%2&quot; and the base URL right?): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 answered HTTP %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The remote server address &quot;%1&quot; is not a valid URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 is not an OpenAI-compatible API: GET %2 did not return a model list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 offers no models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model &quot;%1&quot; not found on the server at %2; it offers: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remote: %1 at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No remote model is connected: connect to the server first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 sent a garbled stream (not server-sent events): &quot;%2&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 sent a line longer than %2 MB: not an event stream.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 sent a garbled stream (an event that is not JSON: %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 stopped with an error: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to %1 broke during the answer: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer from %1 ended without a finish reason: the stream was cut off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server at %1 sent no answer stream (an empty or non-SSE reply).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::app::SecretStore</name>
    <message>
        <source>No system keyring is available: the API key is kept only until GLM Desk closes and must be entered again next time.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::app::ToolSession</name>
    <message>
        <source>The project folder cannot change while tools are running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot use %1 as the project folder: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped by the user before it ran.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not run: the limit of %1 tool calls in one turn was reached. Wait for the user to say whether to go on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not run: no project folder is set for this conversation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The arguments are not a JSON object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the running tool to finish before undoing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This change can no longer be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ApprovalCard</name>
    <message numerus="yes">
        <source>… %n more line(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Waiting for your approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allowed once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allowed for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allowed automatically</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>(%n line(s), shown in the diff)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>GLM wants to use %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tool call %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No preview of the change: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The change it would make:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The change:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for denying (optional, sent to the model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for denying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow this call once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow %1 for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow %1 without asking for the rest of this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny this call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not run: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(undone)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the whole result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo this change</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::AssistantMessageWidget</name>
    <message>
        <source>Answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GLM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy this answer as Markdown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer this message again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Regenerate the answer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ChatView</name>
    <message>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::CodeBlock</name>
    <message>
        <source>Plain text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the code to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the code to a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save code as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the code in a larger view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open code in a larger view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::CodeDialog</name>
    <message>
        <source>Code — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save code as</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::Composer</name>
    <message>
        <source>Message GLM… (Ctrl+Enter to send)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Enter sends, Esc stops the answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Think before answering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let GLM think before it answers (slower, often better)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the answer (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the message (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ConnectionBox</name>
    <message>
        <source>Engine and server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remote server (OpenAI-compatible)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server API key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>http://host:8000/v1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the server&apos;s first model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serve the loaded model to other programs (OpenAI API)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow other computers (listens on every network interface; needs an API key)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ConnectionController</name>
    <message>
        <source>This build has no server (cpp-httplib was missing).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server: off (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ConversationList</name>
    <message>
        <source>New conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
Last message: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search conversations (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New conversation (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newest first. F2 renames, Delete deletes (with undo).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo delete</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::MainWindow</name>
    <message>
        <source>About GLM Desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;GLM Desk %1&lt;/h3&gt;&lt;p&gt;GLM-4.5-Air on your own machine.&lt;/p&gt;&lt;p&gt;Backends in this build: %2&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GLM Desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the &amp;Demo Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About GLM Desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backends: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens/s · context %2 of %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the answer reached its length limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1… %2%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo model is not installed with this build. Use File › Open Model… to choose a GLM-4.5 model file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not load %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation history: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations and chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a model (File › Open Model…) to continue this conversation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GLM made %1 tool calls in a row and was stopped. Send a message to let it go on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project folder for this conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Project Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close Project Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo model (scripted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the built-in demo model: it always gives the same short answer. Open a GLM-4.5 model (File › Open Model…) for real answers.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::MessageWidget</name>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy this message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ModelPanel</name>
    <message>
        <source>%1 (missing)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GGUF files (*.gguf);;Hugging Face config (config.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Hugging Face folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No GPU: everything runs on the CPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU found (%1), but this version runs on the CPU only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything on the GPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Routed experts of %1 layers on the GPU, the rest on the CPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU memory: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU memory: %1 (the weights are read from the file as needed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KV cache for %1 tokens: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer has %1 of RAM.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It fits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It does not fit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Recent models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;File…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a GGUF file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open F&amp;older…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a Hugging Face folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove from List</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Context (tokens):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;KV cache:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>16-bit (default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>8-bit (half the memory)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>32-bit (exact, twice the memory)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;GPU expert layers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Auto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Threads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;MTP draft tokens:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens the model&apos;s MTP layer guesses ahead; correct guesses make answers faster and never change them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel Loading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs a GPU backend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a model: a .gguf file (the first part of a split set) or a Hugging Face folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is not a model GLM Desk can open: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2 file(s), %3 on disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Architecture: %1, %2 layers%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> + MTP layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Experts: %1 routed (%2 per token), %3 shared</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters: %1 billion; hidden size %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest context: %1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is GLM Desk&apos;s built-in demo model: tiny, for trying the app, not for real answers.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::SettingsDialog</name>
    <message>
        <source>You are a helpful, honest assistant.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are a helpful assistant. Answer briefly and directly; skip preambles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are an expert programmer. Give correct, idiomatic code in fenced blocks with the language named, and explain only what is not obvious.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GLM-4.5 default (temperature 0.6, top-p 0.95)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precise (temperature 0.3, top-p 0.9)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creative (temperature 1.0, top-p 0.95)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Greedy (always the most likely token)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Helpful assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Concise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Programmer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> pt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System prompt for new conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Preset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Temperature:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-&amp;p:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-&amp;k (0 = off):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>P&amp;reset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T&amp;heme:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Font size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes apply at once. Sampling and the system prompt apply to the next answer and to new conversations.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Auto-allow read-only tools (list, read, search, git status and diff) in project folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Auto-allow read-only tools</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ThinkingPanel</name>
    <message>
        <source>Thinking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Thinking… %n s</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Thought for less than a second</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Thought for %n s</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Hide the thinking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the thinking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::UserMessageWidget</name>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit this message and send it again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit and resend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edited message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the edited message (Ctrl+Enter); the answers after it are replaced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the edited message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::WelcomePage</name>
    <message>
        <source>Welcome to GLM Desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat with GLM-4.5-Air on your own computer, offline and private. Your conversations never leave this machine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try the built-in demo model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a GLM-4.5 GGUF file or a Hugging Face model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GLM-4.5-Air needs about 60 GB of memory at 4 bits per weight. Files in GGUF format (for example Q4_K_M) work best.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A tiny model with GLM-4.5-Air&apos;s architecture: it thinks and answers instantly, always the same scripted answer. Good for a first look.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>GLM-4.5-Air on your own machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print the version and the backends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User interface language (en, zh_CN)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write this file once the window is on screen (for tests)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit after this many milliseconds (for tests)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A .gguf file or a Hugging Face model folder to open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send this message once the model has loaded (for tests)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest answer in tokens (default 4096)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the built-in demo model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With --send: open the thinking panel after the answer (for tests)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
