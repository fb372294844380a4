"""Translated text for what the core reports in English: error codes and file failure reasons.

The core carries a stable ``code`` with each error a user can cause; the window shows the translated
message for that code, and the original English detail in the notification's details.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale


def error_text(code: str, fallback: str) -> str:
    """The translated message for an error code, or ``fallback`` when the code is not known."""
    if code in ("", "error", None):
        return unexpected_text()
    table = {
        "disk-full": QCoreApplication.translate("Messages", "The disk is full. Nothing was lost: free some space and Lanterne picks up where it stopped."),
        "busy": QCoreApplication.translate("Messages", "Another Lanterne window or command is indexing this data folder. Lanterne will try again when it has finished."),
        "not-found": QCoreApplication.translate("Messages", "This file or folder no longer exists."),
        "permission": QCoreApplication.translate("Messages", "Lanterne is not allowed to read or write there. Check the folder's permissions."),
        "os-error": QCoreApplication.translate("Messages", "The system refused the operation."),
        "no-collection": QCoreApplication.translate("Messages", "This collection does not exist any more."),
        "no-sources": QCoreApplication.translate("Messages", "Add a folder before asking questions."),
        "no-chat": QCoreApplication.translate("Messages", "This conversation no longer exists."),
        "pin-missing": QCoreApplication.translate("Messages", "A pinned document is no longer in your library (moved, deleted or not indexed yet). Unpin it to go on."),
        "pin-empty": QCoreApplication.translate("Messages", "A pinned document has no text to read."),
        "pin-limit": QCoreApplication.translate("Messages", "Too many documents are pinned to this conversation: unpin some."),
        "usage": QCoreApplication.translate("Messages", "Ask a question."),
        "context-overflow": QCoreApplication.translate("Messages", "The question and its sources do not fit in the model's context. Use fewer passages or a larger context in Settings."),
        "model-missing": QCoreApplication.translate("Messages", "The language model file is missing. Choose another model in the model manager."),
        "model-unknown": QCoreApplication.translate("Messages", "This model is not in the catalog."),
        "model-exists": QCoreApplication.translate("Messages", "A model with this name is already installed."),
        "model-bundled": QCoreApplication.translate("Messages", "The demonstration model comes with the app and cannot be removed."),
        "model-broken": QCoreApplication.translate("Messages", "The model could not be loaded. The file may be damaged or made for another program."),
        "model-unreadable": QCoreApplication.translate("Messages", "The model file cannot be read."),
        "not-enough-ram": QCoreApplication.translate("Messages", "Not enough free memory for this model. Close other programs or choose a smaller model."),
        "gguf-corrupt": QCoreApplication.translate("Messages", "This model file is damaged or incomplete."),
        "gguf-magic": QCoreApplication.translate("Messages", "This is not a GGUF model file."),
        "gguf-version": QCoreApplication.translate("Messages", "This GGUF version is not supported."),
        "template-refused": QCoreApplication.translate("Messages", "The model's chat template was refused for safety."),
        "copy-failed": QCoreApplication.translate("Messages", "The model could not be copied into the data folder."),
        "offline": QCoreApplication.translate("Messages", "Strict offline mode is on: downloads are disabled."),
        "download-failed": QCoreApplication.translate("Messages", "The download failed. Check the connection and try again; it resumes where it stopped."),
        "download-cancelled": QCoreApplication.translate("Messages", "Download cancelled. It resumes where it stopped next time."),
        "download-corrupt": QCoreApplication.translate("Messages", "The downloaded file does not match its checksum and was deleted."),
        "download-unverifiable": QCoreApplication.translate("Messages", "The download could not be verified and was not installed."),
        "embedder-missing": QCoreApplication.translate("Messages", "The embedding model is missing. Reinstall Lanterne or choose another embedder."),
        "embedder-broken": QCoreApplication.translate("Messages", "The embedding model could not be loaded."),
        "bad-input": QCoreApplication.translate("Messages", "This input is not valid."),
        "repaired": QCoreApplication.translate("Messages", "Lanterne's index or catalog was damaged while it ran and has been repaired; indexing goes on."),
        "repairing": QCoreApplication.translate("Messages", "Indexing hit a problem; Lanterne is repairing its index and will try again in a moment."),
        "index-rebuilding": QCoreApplication.translate("Messages", "The search index is being rebuilt from your documents; search again in a moment."),
        "engine-unreachable": QCoreApplication.translate("Messages", "The answer engine set in Settings cannot be reached. Check that it is running, or clear its address to answer with the model on this computer."),
        "engine-refused": QCoreApplication.translate("Messages", "The answer engine set in Settings refused the question."),
        "engine-key": QCoreApplication.translate("Messages", "The answer engine's API key is missing: set the environment variable named in Settings."),
        "engine-url": QCoreApplication.translate("Messages", "The answer engine's address is not a valid http(s) URL."),
        "server-unreachable": QCoreApplication.translate("Messages", "The Lanterne server cannot be reached (network, or the server is stopped). This computer's collections work as usual."),
        "server-token": QCoreApplication.translate("Messages", "The Lanterne server refused the access token. Ask whoever runs it for a new one and enter it in Settings."),
        "server-refused": QCoreApplication.translate("Messages", "The Lanterne server could not answer this request."),
        "server-url": QCoreApplication.translate("Messages", "The Lanterne server's address is not a valid http(s) URL."),
        "server-not-set": QCoreApplication.translate("Messages", "No Lanterne server is set: add its address and token in Settings."),
        "server-offline": QCoreApplication.translate("Messages", "Strict offline mode is on: only a Lanterne server on this computer can be used."),
        "mixed-scope": QCoreApplication.translate("Messages", "Ask the Lanterne server's collections and this computer's in separate questions."),
    }
    return table.get(code, fallback)


# Language names in the UI language (Qt names languages only in English or in themselves).
_LANGUAGES = {
    "fr": QT_TRANSLATE_NOOP("Languages", "French"), "en": QT_TRANSLATE_NOOP("Languages", "English"),
    "de": QT_TRANSLATE_NOOP("Languages", "German"), "es": QT_TRANSLATE_NOOP("Languages", "Spanish"),
    "it": QT_TRANSLATE_NOOP("Languages", "Italian"), "pt": QT_TRANSLATE_NOOP("Languages", "Portuguese"),
    "nl": QT_TRANSLATE_NOOP("Languages", "Dutch"), "hi": QT_TRANSLATE_NOOP("Languages", "Hindi"),
    "th": QT_TRANSLATE_NOOP("Languages", "Thai"),
}
_TESSERACT = {"fra": "fr", "eng": "en", "deu": "de", "spa": "es", "ita": "it", "por": "pt", "nld": "nl",
              "hin": "hi", "tha": "th"}


def language_name(code: str) -> str:
    """"fr" or Tesseract's "fra" → "French" / "français"; other codes as they are."""
    code = _TESSERACT.get(code, code)
    return QCoreApplication.translate("Languages", _LANGUAGES[code]) if code in _LANGUAGES else code


def citation_place(citation: dict, page: int | None = None) -> str:
    """Where a cited passage is, in the UI language: "page 3", or for a spreadsheet its sheet and
    rows ("feuille « Tarifs », lignes 12 à 40"). ``page`` overrides the citation's (a preview
    showing another page)."""
    from PySide6.QtCore import QLocale

    rows = citation.get("rows")
    if rows:
        locale = QLocale()
        sheet = (citation.get("heading") or "").split(" > ")[0]
        first, last = int(rows[0]), int(rows[1])
        span = (QCoreApplication.translate("Messages", "row {0}").format(locale.toString(first)) if first == last else
                QCoreApplication.translate("Messages", "rows {0}–{1}").format(locale.toString(first),
                                                                            locale.toString(last)))
        return QCoreApplication.translate("Messages", "sheet “{0}”, {1}").format(sheet, span) if sheet else span
    page = page if page is not None else citation.get("page")
    return QCoreApplication.translate("Messages", "page {0}").format(page) if page else ""


def unexpected_text() -> str:
    return QCoreApplication.translate("Messages", "Something went wrong. The details are in the log file; nothing was lost.")


# Why a file could not be indexed, by the indexer's failure code (indexer.errors.FAILURES); the
# failure's params fill the {name} placeholders. A test checks that every code has its message.
FAILURE_MESSAGES: dict[str, str] = {
    "password-protected": QT_TRANSLATE_NOOP("Messages", "Password protected: Lanterne cannot open it."),
    "ocr-off": QT_TRANSLATE_NOOP("Messages", "Scanned document: text recognition is turned off in Settings."),
    "ocr-missing": QT_TRANSLATE_NOOP("Messages", "Scanned document or image: the text recognition models are not installed."),
    "scanned-no-text": QT_TRANSLATE_NOOP("Messages", "Scanned document: no text could be recognised on its pages."),
    "image-ocr-off": QT_TRANSLATE_NOOP("Messages", "Image: text recognition is turned off in Settings."),
    "image-too-small": QT_TRANSLATE_NOOP("Messages", "Image too small to hold readable text."),
    "image-no-text": QT_TRANSLATE_NOOP("Messages", "No text was recognised in this image."),
    "no-text": QT_TRANSLATE_NOOP("Messages", "No text found in this document."),
    "empty": QT_TRANSLATE_NOOP("Messages", "Empty file."),
    "unsupported": QT_TRANSLATE_NOOP("Messages", "Unsupported format ({ext})."),
    "too-large": QT_TRANSLATE_NOOP("Messages", "Too large ({size_mb} MB; the limit is {limit_mb} MB in Settings)."),
    "too-large-memory": QT_TRANSLATE_NOOP("Messages", "Too large: reading it needs more memory than Lanterne allows."),
    "damaged": QT_TRANSLATE_NOOP("Messages", "Damaged file: it cannot be read. Try opening and saving it again."),
    "refused": QT_TRANSLATE_NOOP("Messages", "Refused for safety (the file looks like a decompression bomb or holds unsafe content)."),
    "permission": QT_TRANSLATE_NOOP("Messages", "Permission denied: Lanterne cannot read this file."),
    "disappeared": QT_TRANSLATE_NOOP("Messages", "The file disappeared before it could be read."),
    "timeout": QT_TRANSLATE_NOOP("Messages", "Reading this file took too long."),
    "symlink-outside": QT_TRANSLATE_NOOP("Messages", "Shortcut (symbolic link) to a file outside this folder: not followed, for privacy."),
    "text-too-large": QT_TRANSLATE_NOOP("Messages", "Too large for a text document."),
    "crashed": QT_TRANSLATE_NOOP("Messages", "The reader crashed on this file (damaged or hostile content)."),
    "unreadable": QT_TRANSLATE_NOOP("Messages", "This file could not be read."),
}
_UNSUPPORTED_PLAIN = QT_TRANSLATE_NOOP("Messages", "Unsupported format.")


def reason_text(failure) -> str:
    """A document failure (``indexer.errors.Failure``) in the user's language; the English detail
    is kept as a tooltip by the views."""
    if failure is None:
        return QCoreApplication.translate("Messages", "Failed.")
    template = FAILURE_MESSAGES.get(failure.code)
    if failure.code == "unsupported" and not failure.params.get("ext"):
        template = _UNSUPPORTED_PLAIN
    if template is None:
        return failure.reason or QCoreApplication.translate("Messages", "Failed.")
    params = {k: (QLocale().toString(v) if isinstance(v, int) else v) for k, v in failure.params.items()}
    try:
        return QCoreApplication.translate("Messages", template).format(**params)
    except (KeyError, IndexError):
        return QCoreApplication.translate("Messages", template)


def duration_text(seconds: float | None) -> str:
    """A short ETA: '45 s', '3 min', '1 h 20 min'; empty while there is no estimate (callers then
    leave the estimate out rather than show a placeholder dash)."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return QCoreApplication.translate("Messages", "{0} s").format(seconds)
    if seconds < 3600:
        return QCoreApplication.translate("Messages", "{0} min").format(round(seconds / 60))
    return QCoreApplication.translate("Messages", "{0} h {1} min").format(seconds // 3600, (seconds % 3600) // 60)
