<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
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
        <source>Open model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GLM-4.5 models (*.gguf config.json);;GGUF files (*.gguf);;Hugging Face folder (config.json)</source>
        <translation type="unfinished"></translation>
    </message>
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
        <source>Demo model (random weights)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the built-in demo model: it shows how GLM Desk works, but its answers are random text. Open a GLM-4.5 model (File › Open Model…) for real answers.</source>
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
        <source>A tiny model with GLM-4.5-Air&apos;s architecture: it answers instantly but its words are random. Good for a first look.</source>
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
</context>
</TS>
