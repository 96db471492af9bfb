<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>glmdesk::ui::ChatPage</name>
    <message>
        <source>Message GLM… (Ctrl+Enter to send)</source>
        <translation>给 GLM 发消息…（Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <source>Think before answering</source>
        <translation>先思考再回答</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>GLM</source>
        <translation>GLM</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
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
</context>
</TS>
