<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>glmdesk::app::AppServer</name>
    <message>
        <source>Letting other computers use the server needs an API key.</source>
        <translation>允许其他计算机使用服务器需要设置 API 密钥。</translation>
    </message>
    <message>
        <source>The server could not start on port %1: %2</source>
        <translation>服务器无法在端口 %1 上启动：%2</translation>
    </message>
</context>
<context>
    <name>glmdesk::app::ConversationStore</name>
    <message>
        <source>Database statement failed</source>
        <translation>数据库语句执行失败</translation>
    </message>
    <message>
        <source>The conversation store is already open</source>
        <translation>对话存储已经打开</translation>
    </message>
    <message>
        <source>Cannot create the folder for conversations</source>
        <translation>无法创建存放对话的文件夹</translation>
    </message>
    <message>
        <source>Qt&apos;s SQLite driver (QSQLITE) is not installed</source>
        <translation>未安装 Qt 的 SQLite 驱动（QSQLITE）</translation>
    </message>
    <message>
        <source>Cannot open the conversation database %1</source>
        <translation>无法打开对话数据库 %1</translation>
    </message>
    <message>
        <source>Cannot switch the conversation database to WAL mode</source>
        <translation>无法将对话数据库切换到 WAL 模式</translation>
    </message>
    <message>
        <source>The conversation database %1 is damaged</source>
        <translation>对话数据库 %1 已损坏</translation>
    </message>
    <message>
        <source>The conversation store is not open</source>
        <translation>对话存储尚未打开</translation>
    </message>
    <message>
        <source>Cannot read the schema version</source>
        <translation>无法读取数据库结构版本</translation>
    </message>
    <message>
        <source>The conversation database was written by a newer GLM Desk (schema %1; this version reads up to %2)</source>
        <translation>对话数据库由更新版本的 GLM Desk 写入（结构版本 %1；本版本最多支持 %2）</translation>
    </message>
    <message>
        <source>Cannot start the schema migration</source>
        <translation>无法开始数据库结构迁移</translation>
    </message>
    <message>
        <source>Schema migration to version %1 failed</source>
        <translation>迁移到结构版本 %1 失败</translation>
    </message>
    <message>
        <source>Cannot create a conversation</source>
        <translation>无法创建对话</translation>
    </message>
    <message>
        <source>Cannot rename the conversation</source>
        <translation>无法重命名对话</translation>
    </message>
    <message>
        <source>No conversation %1</source>
        <translation>没有编号为 %1 的对话</translation>
    </message>
    <message>
        <source>Cannot save the conversation&apos;s settings</source>
        <translation>无法保存对话设置</translation>
    </message>
    <message>
        <source>Cannot delete the conversation</source>
        <translation>无法删除对话</translation>
    </message>
    <message>
        <source>Cannot restore the conversation</source>
        <translation>无法恢复对话</translation>
    </message>
    <message>
        <source>No deleted conversation %1 to restore</source>
        <translation>没有可恢复的已删除对话 %1</translation>
    </message>
    <message>
        <source>Cannot remove deleted conversations</source>
        <translation>无法清除已删除的对话</translation>
    </message>
    <message>
        <source>Cannot read the conversation</source>
        <translation>无法读取对话</translation>
    </message>
    <message>
        <source>Cannot list the conversations</source>
        <translation>无法列出对话</translation>
    </message>
    <message>
        <source>Cannot search the conversations</source>
        <translation>无法搜索对话</translation>
    </message>
    <message>
        <source>Cannot update the conversation</source>
        <translation>无法更新对话</translation>
    </message>
    <message>
        <source>Cannot save the message</source>
        <translation>无法保存消息</translation>
    </message>
    <message>
        <source>Cannot save the answer</source>
        <translation>无法保存回答</translation>
    </message>
    <message>
        <source>No message %1</source>
        <translation>没有编号为 %1 的消息</translation>
    </message>
    <message>
        <source>Cannot read the messages</source>
        <translation>无法读取消息</translation>
    </message>
    <message>
        <source>Cannot read the message</source>
        <translation>无法读取该消息</translation>
    </message>
    <message>
        <source>Cannot remove the messages</source>
        <translation>无法删除消息</translation>
    </message>
    <message>
        <source>Cannot mark interrupted answers</source>
        <translation>无法标记中断的回答</translation>
    </message>
    <message>
        <source>Cannot save the tool call</source>
        <translation>无法保存工具调用</translation>
    </message>
    <message>
        <source>No tool call %1</source>
        <translation>没有工具调用 %1</translation>
    </message>
    <message>
        <source>Cannot read the tool calls</source>
        <translation>无法读取工具调用</translation>
    </message>
</context>
<context>
    <name>glmdesk::app::RemoteEngine</name>
    <message>
        <source>Cannot reach the server at %1 (%2). Check the address and that the server is running.</source>
        <translation>无法连接 %1 上的服务器（%2）。请检查地址，并确认服务器正在运行。</translation>
    </message>
    <message>
        <source>The request to %1 failed: %2</source>
        <translation>对 %1 的请求失败：%2</translation>
    </message>
    <message>
        <source>The server at %1 refused the API key (HTTP %2): %3</source>
        <translation>%1 上的服务器拒绝了 API 密钥（HTTP %2）：%3</translation>
    </message>
    <message>
        <source>Not found on the server at %1 (HTTP 404; is the model name &quot;%2&quot; and the base URL right?): %3</source>
        <translation>在 %1 上的服务器中未找到（HTTP 404；模型名称“%2”和基础 URL 是否正确？）：%3</translation>
    </message>
    <message>
        <source>The server at %1 answered HTTP %2: %3</source>
        <translation>%1 上的服务器返回 HTTP %2：%3</translation>
    </message>
    <message>
        <source>The remote server address &quot;%1&quot; is not a valid URL.</source>
        <translation>远程服务器地址“%1”不是有效的 URL。</translation>
    </message>
    <message>
        <source>The server at %1 is not an OpenAI-compatible API: GET %2 did not return a model list.</source>
        <translation>%1 上的服务器不是 OpenAI 兼容的 API：GET %2 没有返回模型列表。</translation>
    </message>
    <message>
        <source>The server at %1 offers no models.</source>
        <translation>%1 上的服务器没有提供任何模型。</translation>
    </message>
    <message>
        <source>Model &quot;%1&quot; not found on the server at %2; it offers: %3</source>
        <translation>在 %2 上的服务器中未找到模型“%1”；它提供：%3</translation>
    </message>
    <message>
        <source>remote: %1 at %2</source>
        <translation>远程：%1，位于 %2</translation>
    </message>
    <message>
        <source>No remote model is connected: connect to the server first.</source>
        <translation>尚未连接远程模型：请先连接服务器。</translation>
    </message>
    <message>
        <source>The server at %1 sent a garbled stream (not server-sent events): &quot;%2&quot;</source>
        <translation>%1 上的服务器发送了无法解析的数据流（不是服务器发送事件）：“%2”</translation>
    </message>
    <message>
        <source>The server at %1 sent a line longer than %2 MB: not an event stream.</source>
        <translation>%1 上的服务器发送了一行超过 %2 MB 的数据：这不是事件流。</translation>
    </message>
    <message>
        <source>The server at %1 sent a garbled stream (an event that is not JSON: %2).</source>
        <translation>%1 上的服务器发送了无法解析的数据流（有一个事件不是 JSON：%2）。</translation>
    </message>
    <message>
        <source>The server at %1 stopped with an error: %2</source>
        <translation>%1 上的服务器因错误而停止：%2</translation>
    </message>
    <message>
        <source>The connection to %1 broke during the answer: %2</source>
        <translation>回答过程中与 %1 的连接中断：%2</translation>
    </message>
    <message>
        <source>The answer from %1 ended without a finish reason: the stream was cut off.</source>
        <translation>来自 %1 的回答没有结束原因：数据流被截断了。</translation>
    </message>
    <message>
        <source>The server at %1 sent no answer stream (an empty or non-SSE reply).</source>
        <translation>%1 上的服务器没有发送回答流（回复为空或不是 SSE）。</translation>
    </message>
</context>
<context>
    <name>glmdesk::app::SecretStore</name>
    <message>
        <source>No system keyring is available: the API key is kept only until GLM Desk closes and must be entered again next time.</source>
        <translation>没有可用的系统密钥环：API 密钥只保存到 GLM Desk 关闭为止，下次需要重新输入。</translation>
    </message>
</context>
<context>
    <name>glmdesk::app::ToolSession</name>
    <message>
        <source>The project folder cannot change while tools are running.</source>
        <translation>工具运行期间不能更改项目文件夹。</translation>
    </message>
    <message>
        <source>Cannot use %1 as the project folder: %2</source>
        <translation>无法将 %1 用作项目文件夹：%2</translation>
    </message>
    <message>
        <source>Stopped by the user before it ran.</source>
        <translation>在运行之前已被用户停止。</translation>
    </message>
    <message>
        <source>Not run: the limit of %1 tool calls in one turn was reached. Wait for the user to say whether to go on.</source>
        <translation>未运行：已达到每轮 %1 次工具调用的上限。请等待用户决定是否继续。</translation>
    </message>
    <message>
        <source>Not run: no project folder is set for this conversation.</source>
        <translation>未运行：此对话没有设置项目文件夹。</translation>
    </message>
    <message>
        <source>The arguments are not a JSON object.</source>
        <translation>参数不是 JSON 对象。</translation>
    </message>
    <message>
        <source>Wait for the running tool to finish before undoing.</source>
        <translation>请等正在运行的工具结束后再撤销。</translation>
    </message>
    <message>
        <source>This change can no longer be undone.</source>
        <translation>此更改已无法撤销。</translation>
    </message>
    <message>
        <source>Undo failed: %1</source>
        <translation>撤销失败：%1</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ApprovalCard</name>
    <message numerus="yes">
        <source>… %n more line(s)</source>
        <translation>
            <numerusform>… 另有 %n 行</numerusform>
        </translation>
    </message>
    <message>
        <source>Waiting for your approval</source>
        <translation>等待你的批准</translation>
    </message>
    <message>
        <source>Allowed once</source>
        <translation>已允许一次</translation>
    </message>
    <message>
        <source>Allowed for this conversation</source>
        <translation>已在此对话中允许</translation>
    </message>
    <message>
        <source>Allowed automatically</source>
        <translation>已自动允许</translation>
    </message>
    <message>
        <source>Denied</source>
        <translation>已拒绝</translation>
    </message>
    <message numerus="yes">
        <source>(%n line(s), shown in the diff)</source>
        <translation>
            <numerusform>（%n 行，见差异）</numerusform>
        </translation>
    </message>
    <message>
        <source>GLM wants to use %1</source>
        <translation>GLM 想要使用 %1</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Tool call %1</source>
        <translation>工具调用 %1</translation>
    </message>
    <message>
        <source>No preview of the change: %1</source>
        <translation>无法预览更改：%1</translation>
    </message>
    <message>
        <source>The change it would make:</source>
        <translation>它将做出的更改：</translation>
    </message>
    <message>
        <source>The change:</source>
        <translation>更改：</translation>
    </message>
    <message>
        <source>Reason for denying (optional, sent to the model)</source>
        <translation>拒绝的理由（可选，会发送给模型）</translation>
    </message>
    <message>
        <source>Reason for denying</source>
        <translation>拒绝的理由</translation>
    </message>
    <message>
        <source>Allow once</source>
        <translation>允许一次</translation>
    </message>
    <message>
        <source>Allow this call once</source>
        <translation>允许这次调用</translation>
    </message>
    <message>
        <source>Allow %1 for this conversation</source>
        <translation>在此对话中允许 %1</translation>
    </message>
    <message>
        <source>Allow %1 without asking for the rest of this conversation</source>
        <translation>在此对话的剩余部分中允许 %1 而不再询问</translation>
    </message>
    <message>
        <source>Deny</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Deny this call</source>
        <translation>拒绝这次调用</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>正在运行…</translation>
    </message>
    <message>
        <source>Not run.</source>
        <translation>未运行。</translation>
    </message>
    <message>
        <source>Not run: %1</source>
        <translation>未运行：%1</translation>
    </message>
    <message>
        <source>Done: %1</source>
        <translation>完成：%1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>(undone)</source>
        <translation>（已撤销）</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Show the whole result</source>
        <translation>显示完整结果</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo this change</source>
        <translation>撤销此更改</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::AssistantMessageWidget</name>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>GLM</source>
        <translation>GLM</translation>
    </message>
    <message>
        <source>Copy this answer as Markdown</source>
        <translation>以 Markdown 格式复制此回答</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Answer this message again</source>
        <translation>重新回答这条消息</translation>
    </message>
    <message>
        <source>Regenerate the answer</source>
        <translation>重新生成回答</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ChatView</name>
    <message>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::CodeBlock</name>
    <message>
        <source>Plain text</source>
        <translation>纯文本</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the code to the clipboard</source>
        <translation>将代码复制到剪贴板</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Save the code to a file</source>
        <translation>将代码保存到文件</translation>
    </message>
    <message>
        <source>Save code as</source>
        <translation>代码另存为</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open the code in a larger view</source>
        <translation>在更大的窗口中查看代码</translation>
    </message>
    <message>
        <source>Open code in a larger view</source>
        <translation>在更大的窗口中查看代码</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>%1 code</source>
        <translation>%1 代码</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::CodeDialog</name>
    <message>
        <source>Code — %1</source>
        <translation>代码 — %1</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Save code as</source>
        <translation>代码另存为</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::Composer</name>
    <message>
        <source>Message GLM… (Ctrl+Enter to send)</source>
        <translation>给 GLM 发消息…（Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Ctrl+Enter sends, Esc stops the answer</source>
        <translation>Ctrl+Enter 发送，Esc 停止回答</translation>
    </message>
    <message>
        <source>Think before answering</source>
        <translation>先思考再回答</translation>
    </message>
    <message>
        <source>Let GLM think before it answers (slower, often better)</source>
        <translation>让 GLM 先思考再回答（较慢，但通常更好）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Stop the answer (Esc)</source>
        <translation>停止回答（Esc）</translation>
    </message>
    <message>
        <source>Send the message (Ctrl+Enter)</source>
        <translation>发送消息（Ctrl+Enter）</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ConnectionBox</name>
    <message>
        <source>Engine and server</source>
        <translation>引擎与服务器</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Remote server (OpenAI-compatible)</source>
        <translation>远程服务器（OpenAI 兼容）</translation>
    </message>
    <message>
        <source>Engine:</source>
        <translation>引擎：</translation>
    </message>
    <message>
        <source>Server URL:</source>
        <translation>服务器 URL：</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Server API key:</source>
        <translation>服务器 API 密钥：</translation>
    </message>
    <message>
        <source>http://host:8000/v1</source>
        <translation>http://host:8000/v1</translation>
    </message>
    <message>
        <source>the server&apos;s first model</source>
        <translation>服务器的第一个模型</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Serve the loaded model to other programs (OpenAI API)</source>
        <translation>将已加载的模型提供给其他程序（OpenAI API）</translation>
    </message>
    <message>
        <source>Allow other computers (listens on every network interface; needs an API key)</source>
        <translation>允许其他计算机访问（在所有网络接口上监听；需要 API 密钥）</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ConnectionController</name>
    <message>
        <source>This build has no server (cpp-httplib was missing).</source>
        <translation>此版本没有服务器功能（构建时缺少 cpp-httplib）。</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>服务器：%1</translation>
    </message>
    <message>
        <source>Server: off (%1)</source>
        <translation>服务器：关闭（%1）</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ConversationList</name>
    <message>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>%1
Last message: %2</source>
        <translation>%1
最后一条消息：%2</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Search conversations (Ctrl+F)</source>
        <translation>搜索对话（Ctrl+F）</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>New conversation (Ctrl+N)</source>
        <translation>新对话（Ctrl+N）</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Newest first. F2 renames, Delete deletes (with undo).</source>
        <translation>最新的在最前。F2 重命名，Delete 删除（可撤销）。</translation>
    </message>
    <message>
        <source>Deleted “%1”.</source>
        <translation>已删除“%1”。</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo delete</source>
        <translation>撤销删除</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::MainWindow</name>
    <message>
        <source>About GLM Desk</source>
        <translation>关于 GLM Desk</translation>
    </message>
    <message>
        <source>&lt;h3&gt;GLM Desk %1&lt;/h3&gt;&lt;p&gt;GLM-4.5-Air on your own machine.&lt;/p&gt;&lt;p&gt;Backends in this build: %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;GLM Desk %1&lt;/h3&gt;&lt;p&gt;在你自己的电脑上运行 GLM-4.5-Air。&lt;/p&gt;&lt;p&gt;本版本包含的后端：%2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>GLM Desk</source>
        <translation>GLM Desk</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <source>Use the &amp;Demo Model</source>
        <translation>使用演示模型(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About GLM Desk</source>
        <translation>关于 GLM Desk(&amp;A)</translation>
    </message>
    <message>
        <source>Backends: %1</source>
        <translation>后端：%1</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>%1 tokens/s · context %2 of %3</source>
        <translation>%1 词元/秒 · 上下文 %2 / %3</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>the answer reached its length limit</source>
        <translation>回答已达到长度上限</translation>
    </message>
    <message>
        <source>error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <source>Loading %1… %2%</source>
        <translation>正在加载 %1… %2%</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>The demo model is not installed with this build. Use File › Open Model… to choose a GLM-4.5 model file.</source>
        <translation>此版本未安装演示模型。请使用“文件 › 打开模型…”选择一个 GLM-4.5 模型文件。</translation>
    </message>
    <message>
        <source>Could not load %1: %2</source>
        <translation>无法加载 %1：%2</translation>
    </message>
    <message>
        <source>Conversation history: %1</source>
        <translation>对话记录：%1</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>&amp;New Conversation</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Search Conversations</source>
        <translation>搜索对话(&amp;S)</translation>
    </message>
    <message>
        <source>Conversations and chat</source>
        <translation>对话与聊天</translation>
    </message>
    <message>
        <source>Open a model (File › Open Model…) to continue this conversation.</source>
        <translation>请打开一个模型（文件 › 打开模型…）以继续此对话。</translation>
    </message>
    <message>
        <source>Loaded.</source>
        <translation>已加载。</translation>
    </message>
    <message>
        <source>Loading was cancelled.</source>
        <translation>已取消加载。</translation>
    </message>
    <message>
        <source>GLM made %1 tool calls in a row and was stopped. Send a message to let it go on.</source>
        <translation>GLM 连续进行了 %1 次工具调用，已被停止。发送一条消息即可让它继续。</translation>
    </message>
    <message>
        <source>Project folder for this conversation</source>
        <translation>此对话的项目文件夹</translation>
    </message>
    <message>
        <source>Project folder</source>
        <translation>项目文件夹</translation>
    </message>
    <message>
        <source>Project: %1</source>
        <translation>项目：%1</translation>
    </message>
    <message>
        <source>&amp;Project Folder…</source>
        <translation>项目文件夹(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Close Project Folder</source>
        <translation>关闭项目文件夹(&amp;C)</translation>
    </message>
    <message>
        <source>Demo model (scripted)</source>
        <translation>演示模型（脚本化）</translation>
    </message>
    <message>
        <source>This is the built-in demo model: it always gives the same short answer. Open a GLM-4.5 model (File › Open Model…) for real answers.</source>
        <translation>这是内置的演示模型：它总是给出同样简短的回答。要获得真正的回答，请打开一个 GLM-4.5 模型（文件 › 打开模型…）。</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::MessageWidget</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy this message</source>
        <translation>复制这条消息</translation>
    </message>
    <message>
        <source>Copy message</source>
        <translation>复制消息</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ModelPanel</name>
    <message>
        <source>%1 (missing)</source>
        <translation>%1（缺失）</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>GGUF files (*.gguf);;Hugging Face config (config.json)</source>
        <translation>GGUF 文件 (*.gguf);;Hugging Face 配置 (config.json)</translation>
    </message>
    <message>
        <source>Open Hugging Face folder</source>
        <translation>打开 Hugging Face 文件夹</translation>
    </message>
    <message>
        <source>Reading the model…</source>
        <translation>正在读取模型…</translation>
    </message>
    <message>
        <source>No GPU: everything runs on the CPU.</source>
        <translation>没有 GPU：全部在 CPU 上运行。</translation>
    </message>
    <message>
        <source>GPU found (%1), but this version runs on the CPU only.</source>
        <translation>找到了 GPU（%1），但此版本只在 CPU 上运行。</translation>
    </message>
    <message>
        <source>Everything on the GPU.</source>
        <translation>全部放在 GPU 上。</translation>
    </message>
    <message>
        <source>Routed experts of %1 layers on the GPU, the rest on the CPU.</source>
        <translation>%1 层的路由专家放在 GPU 上，其余在 CPU 上。</translation>
    </message>
    <message>
        <source>GPU memory: %1</source>
        <translation>GPU 内存：%1</translation>
    </message>
    <message>
        <source>CPU memory: %1 (the weights are read from the file as needed)</source>
        <translation>CPU 内存：%1（权重按需从文件读取）</translation>
    </message>
    <message>
        <source>KV cache for %1 tokens: %2</source>
        <translation>%1 个词元的 KV 缓存：%2</translation>
    </message>
    <message>
        <source>This computer has %1 of RAM.</source>
        <translation>这台计算机有 %1 内存。</translation>
    </message>
    <message>
        <source>It fits.</source>
        <translation>放得下。</translation>
    </message>
    <message>
        <source>It does not fit.</source>
        <translation>放不下。</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>&amp;Recent models</source>
        <translation>最近的模型(&amp;R)</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>最近的模型</translation>
    </message>
    <message>
        <source>Open &amp;File…</source>
        <translation>打开文件(&amp;F)…</translation>
    </message>
    <message>
        <source>Open a GGUF file</source>
        <translation>打开 GGUF 文件</translation>
    </message>
    <message>
        <source>Open F&amp;older…</source>
        <translation>打开文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a Hugging Face folder</source>
        <translation>打开 Hugging Face 文件夹</translation>
    </message>
    <message>
        <source>Remove from List</source>
        <translation>从列表中移除</translation>
    </message>
    <message>
        <source>&amp;Context (tokens):</source>
        <translation>上下文（词元）(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;KV cache:</source>
        <translation>KV 缓存(&amp;K)：</translation>
    </message>
    <message>
        <source>16-bit (default)</source>
        <translation>16 位（默认）</translation>
    </message>
    <message>
        <source>8-bit (half the memory)</source>
        <translation>8 位（内存减半）</translation>
    </message>
    <message>
        <source>32-bit (exact, twice the memory)</source>
        <translation>32 位（精确，内存加倍）</translation>
    </message>
    <message>
        <source>&amp;GPU expert layers:</source>
        <translation>GPU 专家层数(&amp;G)：</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>&amp;Threads:</source>
        <translation>线程数(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;MTP draft tokens:</source>
        <translation>MTP 草稿词元数(&amp;M)：</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Tokens the model&apos;s MTP layer guesses ahead; correct guesses make answers faster and never change them.</source>
        <translation>模型的 MTP 层提前猜测的词元数；猜对能让回答更快，且绝不会改变回答。</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>&amp;Load</source>
        <translation>加载(&amp;L)</translation>
    </message>
    <message>
        <source>Cancel Loading</source>
        <translation>取消加载</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Needs a GPU backend</source>
        <translation>需要 GPU 后端</translation>
    </message>
    <message>
        <source>Choose a model: a .gguf file (the first part of a split set) or a Hugging Face folder.</source>
        <translation>选择一个模型：.gguf 文件（分卷文件的第一部分）或 Hugging Face 文件夹。</translation>
    </message>
    <message>
        <source>This is not a model GLM Desk can open: %1</source>
        <translation>这不是 GLM Desk 能打开的模型：%1</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>%1, %2 file(s), %3 on disk</source>
        <translation>%1，%2 个文件，占用磁盘 %3</translation>
    </message>
    <message>
        <source>Architecture: %1, %2 layers%3</source>
        <translation>架构：%1，%2 层%3</translation>
    </message>
    <message>
        <source> + MTP layer</source>
        <translation> + MTP 层</translation>
    </message>
    <message>
        <source>Experts: %1 routed (%2 per token), %3 shared</source>
        <translation>专家：%1 个路由专家（每个词元 %2 个），%3 个共享专家</translation>
    </message>
    <message>
        <source>Parameters: %1 billion; hidden size %2</source>
        <translation>参数：%1 十亿；隐藏维度 %2</translation>
    </message>
    <message>
        <source>Weights: %1</source>
        <translation>权重：%1</translation>
    </message>
    <message>
        <source>Longest context: %1 tokens</source>
        <translation>最长上下文：%1 个词元</translation>
    </message>
    <message>
        <source>This is GLM Desk&apos;s built-in demo model: tiny, for trying the app, not for real answers.</source>
        <translation>这是 GLM Desk 内置的演示模型：很小，用来试用本应用，不能给出真正的回答。</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::SettingsDialog</name>
    <message>
        <source>You are a helpful, honest assistant.</source>
        <translation>你是一个乐于助人、诚实的助手。</translation>
    </message>
    <message>
        <source>You are a helpful assistant. Answer briefly and directly; skip preambles.</source>
        <translation>你是一个乐于助人的助手。回答简短直接，不要铺垫。</translation>
    </message>
    <message>
        <source>You are an expert programmer. Give correct, idiomatic code in fenced blocks with the language named, and explain only what is not obvious.</source>
        <translation>你是一名资深程序员。请在标明语言的代码块中给出正确、地道的代码，只解释不显而易见的部分。</translation>
    </message>
    <message>
        <source>GLM-4.5 default (temperature 0.6, top-p 0.95)</source>
        <translation>GLM-4.5 默认（温度 0.6，top-p 0.95）</translation>
    </message>
    <message>
        <source>Precise (temperature 0.3, top-p 0.9)</source>
        <translation>精确（温度 0.3，top-p 0.9）</translation>
    </message>
    <message>
        <source>Creative (temperature 1.0, top-p 0.95)</source>
        <translation>创意（温度 1.0，top-p 0.95）</translation>
    </message>
    <message>
        <source>Greedy (always the most likely token)</source>
        <translation>贪心（总是选择最可能的词元）</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Helpful assistant</source>
        <translation>乐于助人的助手</translation>
    </message>
    <message>
        <source>Concise</source>
        <translation>简洁</translation>
    </message>
    <message>
        <source>Programmer</source>
        <translation>程序员</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> 磅</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <source>System prompt for new conversations</source>
        <translation>新对话的系统提示词</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>&amp;Preset:</source>
        <translation>预设(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Temperature:</source>
        <translation>温度(&amp;T)：</translation>
    </message>
    <message>
        <source>Top-&amp;p:</source>
        <translation>Top-&amp;p：</translation>
    </message>
    <message>
        <source>Top-&amp;k (0 = off):</source>
        <translation>Top-&amp;k（0 = 关闭）：</translation>
    </message>
    <message>
        <source>P&amp;reset:</source>
        <translation>预设(&amp;R)：</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>T&amp;heme:</source>
        <translation>主题(&amp;H)：</translation>
    </message>
    <message>
        <source>&amp;Font size:</source>
        <translation>字号(&amp;F)：</translation>
    </message>
    <message>
        <source>Changes apply at once. Sampling and the system prompt apply to the next answer and to new conversations.</source>
        <translation>更改立即生效。采样设置和系统提示词将用于下一次回答和新对话。</translation>
    </message>
    <message>
        <source>Auto-allow read-only tools (list, read, search, git status and diff) in project folders</source>
        <translation>在项目文件夹中自动允许只读工具（列出、读取、搜索、git status 和 diff）</translation>
    </message>
    <message>
        <source>Auto-allow read-only tools</source>
        <translation>自动允许只读工具</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::ThinkingPanel</name>
    <message>
        <source>Thinking…</source>
        <translation>思考中…</translation>
    </message>
    <message numerus="yes">
        <source>Thinking… %n s</source>
        <translation>
            <numerusform>思考中… %n 秒</numerusform>
        </translation>
    </message>
    <message>
        <source>Thought for less than a second</source>
        <translation>思考了不到一秒</translation>
    </message>
    <message numerus="yes">
        <source>Thought for %n s</source>
        <translation>
            <numerusform>思考了 %n 秒</numerusform>
        </translation>
    </message>
    <message>
        <source>Hide the thinking</source>
        <translation>隐藏思考过程</translation>
    </message>
    <message>
        <source>Show the thinking</source>
        <translation>显示思考过程</translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation>思考过程</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::UserMessageWidget</name>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Your message</source>
        <translation>你的消息</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Edit this message and send it again</source>
        <translation>编辑这条消息并重新发送</translation>
    </message>
    <message>
        <source>Edit and resend</source>
        <translation>编辑并重新发送</translation>
    </message>
    <message>
        <source>Edited message</source>
        <translation>编辑后的消息</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send the edited message (Ctrl+Enter); the answers after it are replaced</source>
        <translation>发送编辑后的消息（Ctrl+Enter）；之后的回答将被替换</translation>
    </message>
    <message>
        <source>Send the edited message</source>
        <translation>发送编辑后的消息</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>取消编辑</translation>
    </message>
</context>
<context>
    <name>glmdesk::ui::WelcomePage</name>
    <message>
        <source>Welcome to GLM Desk</source>
        <translation>欢迎使用 GLM Desk</translation>
    </message>
    <message>
        <source>Chat with GLM-4.5-Air on your own computer, offline and private. Your conversations never leave this machine.</source>
        <translation>在自己的电脑上与 GLM-4.5-Air 对话，离线且私密。你的对话永远不会离开这台电脑。</translation>
    </message>
    <message>
        <source>Try the built-in demo model</source>
        <translation>试用内置演示模型</translation>
    </message>
    <message>
        <source>Open model…</source>
        <translation>打开模型…</translation>
    </message>
    <message>
        <source>Open a GLM-4.5 GGUF file or a Hugging Face model folder</source>
        <translation>打开 GLM-4.5 的 GGUF 文件或 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <source>GLM-4.5-Air needs about 60 GB of memory at 4 bits per weight. Files in GGUF format (for example Q4_K_M) work best.</source>
        <translation>GLM-4.5-Air 在每个权重 4 位时大约需要 60 GB 内存。GGUF 格式的文件（例如 Q4_K_M）效果最好。</translation>
    </message>
    <message>
        <source>A tiny model with GLM-4.5-Air&apos;s architecture: it thinks and answers instantly, always the same scripted answer. Good for a first look.</source>
        <translation>一个具有 GLM-4.5-Air 架构的小模型：它会立即思考并回答，总是同一个脚本化的回答。适合初次体验。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>GLM-4.5-Air on your own machine</source>
        <translation>在你自己的电脑上运行 GLM-4.5-Air</translation>
    </message>
    <message>
        <source>Print the version and the backends</source>
        <translation>显示版本和后端</translation>
    </message>
    <message>
        <source>User interface language (en, zh_CN)</source>
        <translation>界面语言（en、zh_CN）</translation>
    </message>
    <message>
        <source>Write this file once the window is on screen (for tests)</source>
        <translation>窗口显示后写入此文件（用于测试）</translation>
    </message>
    <message>
        <source>Quit after this many milliseconds (for tests)</source>
        <translation>在指定毫秒数后退出（用于测试）</translation>
    </message>
    <message>
        <source>A .gguf file or a Hugging Face model folder to open</source>
        <translation>要打开的 .gguf 文件或 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <source>Send this message once the model has loaded (for tests)</source>
        <translation>模型加载后发送这条消息（用于测试）</translation>
    </message>
    <message>
        <source>Longest answer in tokens (default 4096)</source>
        <translation>回答的最大词元数（默认 4096）</translation>
    </message>
    <message>
        <source>Open the built-in demo model</source>
        <translation>打开内置的演示模型</translation>
    </message>
    <message>
        <source>With --send: open the thinking panel after the answer (for tests)</source>
        <translation>配合 --send：回答之后打开思考面板（用于测试）</translation>
    </message>
</context>
</TS>
