"""Errors whose message is shown to the user as is (Simplified Chinese)."""


class AppError(Exception):
    """A failure the user can understand and act on; str(err) is the Chinese message."""


class PermissionDenied(AppError):
    pass


class ValidationError(AppError):
    """One or more problems with user input; `problems` lists them individually."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = problems or []


class NetworkDatabase(AppError):
    """A database file on a network share: refused before anything reads or writes it. SQLite's
    locks do not reliably reach other PCs through a share, and two PCs writing one file there
    damage it (issue 16); each PC keeps its own replica and they exchange through a folder."""

    title = "不能打开网络上的数据库"

    def __init__(self, path):
        self.path = path
        super().__init__(
            f"数据库文件位于网络共享文件夹中，不能直接打开：{path}\n\n"
            "多台电脑通过网络同时使用同一个数据库文件会损坏数据，本软件不这样使用。"
            "每台电脑在本机磁盘上保存自己的一份数据，通过共享的“交换文件夹”互相传递变更："
            "单位管理员在“数据交换”页的“多台电脑共用”中设置交换文件夹，"
            "其他电脑在首次使用向导中选择“加入本单位已有的多台电脑共用”（命令行：pcs join）。\n\n"
            "该文件未被改动。")
