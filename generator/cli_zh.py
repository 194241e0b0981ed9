"""Chinese for click's own messages (usage errors, help headings).

click builds its messages with gettext (`_("No such option {name!r}.")`) at the moment
it raises them; `install()` points those lookups at this table. A message missing here
(a new click release) stays English rather than breaking.
"""

from __future__ import annotations

import difflib
from typing import Any

import click

MESSAGES = {
    "No such option {name!r}.": "没有选项“{name}”。",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是以下之一：{possibilities}？）",
    "No such command {name!r}.": "没有命令“{name}”。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Got unexpected extra argument ({args})": "多余的参数：{args}",
    "Got unexpected extra arguments ({args})": "多余的参数：{args}",
    "Option {name!r} requires an argument.": "选项 {name} 后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”不是可选值之一：{choices}。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 超出范围 {range}。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a directory.": "“{filename}”是目录，应为文件。",
    "{name} {filename!r} is a file.": "“{filename}”是文件，应为目录。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入。",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "Aborted!": "已中断。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 “{command} {option}” 查看用法。",
    "Options": "选项",
    "Commands": "命令",
    "default: {default}": "默认：{default}",
}


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _gettext(singular if count == 1 else plural)


def install() -> None:
    """Route click's message lookups through MESSAGES."""
    for module in (click.core, click.exceptions, click.parser, click.types, click.formatting, click.decorators):
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]


class Choice(click.Choice):
    """click's Choice speaking like the rest of zhibu: the choices joined with 、, the nearest one suggested
    (“doc”不是可选值之一：xlsx、csv、docx。是不是 docx？), the option named in Chinese quotes."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        choices = [str(c) for c in self.choices]
        near = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
        return f"“{value}”不是可选值之一：{'、'.join(choices)}。" + (f"是不是 {near[0]}？" if near else "")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            if param is not None and exc.param_hint is None:
                exc.param_hint = f"“{param.opts[0] if isinstance(param, click.Option) else param.human_readable_name}”"
            raise
