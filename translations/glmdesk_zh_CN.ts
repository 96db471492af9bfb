<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>GLM-4.5 models (*.gguf config.json);;GGUF files (*.gguf);;Hugging Face folder (config.json)</source>
        <translation>GLM-4.5 模型 (*.gguf config.json);;GGUF 文件 (*.gguf);;Hugging Face 模型文件夹 (config.json)</translation>
    </message>
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
        <source>Demo model (random weights)</source>
        <translation>演示模型（随机权重）</translation>
    </message>
    <message>
        <source>This is the built-in demo model: it shows how GLM Desk works, but its answers are random text. Open a GLM-4.5 model (File › Open Model…) for real answers.</source>
        <translation>这是内置的演示模型：它展示 GLM Desk 如何工作，但它的回答是随机文本。请打开一个 GLM-4.5 模型（文件 › 打开模型…）以获得真正的回答。</translation>
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
        <source>A tiny model with GLM-4.5-Air&apos;s architecture: it answers instantly but its words are random. Good for a first look.</source>
        <translation>一个与 GLM-4.5-Air 架构相同的微型模型：回答很快，但内容是随机的。适合初次体验。</translation>
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
</context>
</TS>
