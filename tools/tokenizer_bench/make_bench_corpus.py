#!/usr/bin/env python3
"""Writes the tokenizer benchmark corpus: about 256 KiB of mixed Chinese, English and code, from
a fixed seed so the C++ benchmark (tests/bench/bench_tokenizer.cpp) and the Hugging Face
comparison (hf_tokenizers_bench.py) encode exactly the same bytes.

    python3 tools/tokenizer_bench/make_bench_corpus.py tests/data/tokenizer/bench_corpus.txt
"""
import random
import sys

ENGLISH = [
    "The scheduler keeps one queue per device and drains it in order of arrival.",
    "A desktop assistant should answer quickly, even when the model is larger than memory.",
    "Experts that are rarely selected can stay on the CPU while the hot ones move to the GPU.",
    "If the download stops halfway, the application resumes it instead of starting over.",
    "Numbers like 3.14159, 2048 and 1e-5 appear in technical writing all the time.",
    "She asked whether the cache could be shared between two conversations; it cannot.",
    "Thinking mode writes its reasoning first, then the final answer after a closing tag.",
    "Open the settings dialog, choose a theme, and the whole window repaints at once.",
]
CHINESE = [
    "这个应用在本地运行大语言模型，不需要联网，也不会上传任何对话内容。",
    "混合专家模型每次只激活一小部分参数，因此推理速度比同等规模的稠密模型快得多。",
    "请把下面这段代码改写成更容易阅读的形式，并解释每一步的作用。",
    "今天北京的天气晴朗，最高气温二十三度，适合出门散步。",
    "当显存不够时，可以把一部分专家权重留在内存里，由处理器计算。",
    "我们在测试中比较了三种量化格式的速度和精度，结果见下表。",
    "用户输入的文字里即使出现特殊标记，也只能被当作普通文本处理。",
    "长上下文会占用更多的键值缓存，所以需要合理地设置最大长度。",
]
CODE = [
    "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
    "for (std::size_t i = 0; i < rows; ++i) {\n    out[i] = dot(weights + i * cols, x, cols);\n}\n",
    "const result = await fetch(url, { method: 'POST', body: JSON.stringify(payload) });\n",
    "SELECT name, COUNT(*) AS n FROM messages WHERE role = 'user' GROUP BY name ORDER BY n DESC;\n",
    "if err != nil {\n\treturn fmt.Errorf(\"open %s: %w\", path, err)\n}\n",
    "    # 计算平均值 (mean of the window)\n    avg = sum(window) / max(len(window), 1)\n",
    "#include <vector>\nint main() { std::vector<int> v{1, 2, 3}; return v.size() == 3 ? 0 : 1; }\n",
    "<div class=\"message\" data-id=\"42\">Hello, 世界!</div>\n",
]


def main(dst, target_bytes=256 * 1024):
    rng = random.Random(4242)
    parts = []
    size = 0
    while size < target_bytes:
        group = rng.choice([ENGLISH, CHINESE, CODE])
        paragraph = " ".join(rng.choice(group) for _ in range(rng.randint(1, 4)))
        if group is CODE:
            paragraph = "```\n" + paragraph + "```"
        parts.append(paragraph)
        size += len(paragraph.encode()) + 2
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n\n".join(parts) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
