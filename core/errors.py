"""One error hierarchy. A LanterneError is something the user can cause or fix (bad folder, missing
model, full disk); it carries a message fit to show. Anything else is a bug: logged with its
traceback, shown as a generic failure."""
from __future__ import annotations

import errno

from models.errors import LanterneError  # the root of the family (lowest layer), re-exported

__all__ = ["LanterneError", "DiskFullError", "IndexBusyError", "from_os_error"]


class DiskFullError(LanterneError):
    def __init__(self, where: str) -> None:
        super().__init__(f"The disk holding {where} is full. Free some space; indexing resumes where it stopped.",
                         code="disk-full")


class IndexBusyError(LanterneError):
    pass


def from_os_error(exc: OSError, where: str) -> LanterneError:
    if exc.errno == errno.ENOSPC or exc.errno == getattr(errno, "EDQUOT", -1):
        return DiskFullError(where)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return LanterneError(f"Lanterne cannot write to {where} (permission denied).", code="permission")
    return LanterneError(f"Cannot use {where}: {exc.strerror or exc}.", code="os-error")
