"""YAML syntax errors in Chinese: every problem string of libyaml and PyYAML, one line each.

The English text stays available as the diagnostic's detail (`zhibu check -v`).
"""

from __future__ import annotations

import re

import yaml

from generator.diagnostics import quoted

_QUOTE_IT = "（值里有冒号、# 或以特殊字符开头时，请给整个值加引号）"
# (pattern, message): libyaml's problem strings, then PyYAML's own wording of the same problems.
PROBLEMS: list[tuple[str, str]] = [
    (r"mapping values are not allowed", "此处不能出现“键: 值”" + _QUOTE_IT),
    (r"could not find expected ':'", "找不到键后的冒号“:”（键后应写英文冒号和空格“: ”）"),
    (r"did not find expected key|expected <block end>", "缩进不一致或缺少键：同一层的字段应左对齐"),
    (r"did not find expected '-' indicator", "列表缩进不一致：同一列表的每项应以同样缩进的“- ”开头"),
    (r"block sequence entries are not allowed", "此处不能开始列表项“- ”（列表应另起一行并缩进）"),
    (r"mapping keys are not allowed", "此处不能出现键（“?”）" + _QUOTE_IT),
    (r"did not find expected ',' or '\]'|expected ',' or '\]'", "方括号 [ ] 里缺少逗号“,”或右括号“]”"),
    (r"did not find expected ',' or '\}'|expected ',' or '\}'", "花括号 { } 里缺少逗号“,”或右括号“}”"),
    (r"found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    (r"found unknown escape character", "双引号里有无效的转义“\\”（反斜杠请写成 \\\\，或改用单引号）"),
    (r"found character .*that cannot start any token", "值不能以这个字符开头" + _QUOTE_IT),
    (r"did not find expected node content|expected the node content", "此处缺少内容"),
    (r"found a tab character|found character '\\t'", "缩进里有 Tab：请用空格缩进"),
    (r"found unexpected ':'", "意外的冒号“:”" + _QUOTE_IT),
    (r"found unexpected document (indicator|separator)", "引号里的文字有一行是“---”或“...”，请改写这一行"),
    (r"did not find expected comment or line break|expected a comment or a line break", "此处之后只能是注释或换行"),
    (r"did not find expected whitespace|expected ' '", "此处应有空格"),
    (r"control characters are not allowed|special characters are not allowed", "文件里有不允许的控制字符"),
    (r"expected chomping or indentation indicators", "“|”或“>”之后只能跟 +、- 或一位数字"),
    (r"found an indentation indicator equal to 0|expected indentation indicator", "“|”或“>”的缩进数字应为 1 到 9"),
    (r"did not find expected hexdecimal number|expected escape sequence of", "转义序列里应为十六进制数字"),
    (r"found invalid Unicode character escape code", "无效的 Unicode 转义"),
    (
        r"did not find expected alphabetic or numeric character|expected alphabetic or numeric",
        "锚点、别名或标签名里只能用字母和数字" + _QUOTE_IT,
    ),
    (r"found unexpected non-alphabetical character", "标签或指令里出现了非字母字符" + _QUOTE_IT),
    (r"did not find expected tag URI|expected URI|did not find URI escaped octet", "标签格式错误" + _QUOTE_IT),
    (r"did not find expected '!'|did not find the expected '>'|expected '[!>]'", "标签格式错误" + _QUOTE_IT),
    (r"found undefined tag handle", "未定义的标签前缀" + _QUOTE_IT),
    (r"could not find expected directive name|found unknown directive name", "无效的 % 指令（% 开头的行）"),
    (r"did not find expected (version number|digit)|expected a digit", "%YAML 指令的版本号格式错误"),
    (r"found extremely long version number", "%YAML 指令的版本号过长"),
    (r"found duplicate (%TAG|%YAML|YAML) directive", "重复的 % 指令"),
    (r"found incompatible YAML document", "不支持的 YAML 版本（只支持 1.x）"),
    (r"did not find expected <document start>|expected '<document start>'", "缺少文档开始标记“---”"),
    (r"expected a single document", "一个文件只能写一条记录（发现多个 YAML 文档）"),
    (r"input is too long", "文件过长"),
    (r"UTF-8|UTF-16|invalid Unicode character|surrogate", "文件编码错误：请另存为 UTF-8"),
    (r"did not find expected <stream-start>|no more", "无法解析文件开头"),
]
_COMPILED = [(re.compile(pattern), message) for pattern, message in PROBLEMS]
UNKNOWN = "无法解析此处（用 -v 查看英文原文）"
_FULL_WIDTH_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_-]*)\s*：")


def translate(problem: str) -> str:
    for pattern, message in _COMPILED:
        if pattern.search(problem):
            return message
    return UNKNOWN


def describe(exc: yaml.YAMLError, text: str) -> tuple[int, str, str]:
    """(1-based line, Chinese message, English detail) for a YAML error in text."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        return line, f"文件里有不允许的控制字符 {quoted(chr(exc.character))}", str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or ""
    context = getattr(exc, "context", None)
    line = mark.line + 1 if mark else 1
    detail = f"{problem} ({context})" if context and context != problem else problem
    message = translate(problem)
    source = text.split("\n")[line - 1] if line <= text.count("\n") + 1 else ""
    if "cannot start any token" in problem and mark and mark.column < len(source):
        found = source[mark.column]
        message = "缩进里有 Tab：请用空格缩进" if found == "\t" else f"值不能以{quoted(found)}开头{_QUOTE_IT}"
    if "Tab" not in message and "\t" in source[: len(source) - len(source.lstrip())]:
        message += "；这一行的缩进里有 Tab，请用空格缩进"
    return line, f"YAML 语法错误：{message}", detail


def full_width_colons(text: str, keys: frozenset[str]) -> list[tuple[int, str]]:
    """(line, key) of every line where a known field name is followed by a full-width colon “：”."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        match = _FULL_WIDTH_KEY.match(line)
        if match and match.group(1) in keys:
            found.append((number, match.group(1)))
    return found


def repair_full_width_colons(text: str, found: list[tuple[int, str]]) -> str:
    """text with the “：” after each found key (see full_width_colons) replaced by “: ”; lines keep their numbers."""
    lines = text.split("\n")
    for number, _ in found:
        lines[number - 1] = lines[number - 1].replace("：", ": ", 1)
    return "\n".join(lines)
