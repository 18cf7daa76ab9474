"""One file service for the core and every plugin (docs/api.md, "Files").

    from core import files

    stored = files.save_upload(request.files["photo"], namespace="meetings", accept=["image", "pdf"],
                               max_bytes=15 * 2 ** 20, owner_id=current_user.id)
    ...commit, keep stored.id in your own row...
    return files.send(files.get(file_id, "meetings"), watermark="Nguyễn Văn A — 46012345")

Bytes live in a backend (core.files.backends: the local disk under FILES_DIR now, S3-compatible
storage later, behind the same methods); their rows in `core_file` (core.files.models)."""
from core.files.kinds import FileRejected, clean_filename, human_size
from core.files.models import StoredFile
from core.files.service import delete, get, open_file, save_bytes, save_upload, sweep_files
from core.files.serving import send, watermarked

open = open_file  # noqa: A001  (files.open(stored), as the API reads; the builtin is untouched elsewhere)

__all__ = ["FileRejected", "StoredFile", "clean_filename", "delete", "get", "human_size", "open",
           "open_file", "save_bytes", "save_upload", "send", "sweep_files", "watermarked"]
