<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>glmdesk::ui::ChatPage</name>
    <message>
        <source>Message GLM… (Ctrl+Enter to send)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Think before answering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GLM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
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
</context>
</TS>
