"""Shared by the corpus generator and the corpus test: how a case's files are
stored in JSON and how a directory is populated from, or read back into, that
form.  Text files are stored as text, anything else as base64; directories
and symlinks are recorded as such."""
import base64
import os
import pathlib

CWD_TOKEN = "{CWD}"


def encode_file(data: bytes) -> dict:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def decode_file(entry: dict) -> bytes:
    if "text" in entry:
        return entry["text"].encode("utf-8")
    return base64.b64decode(entry["base64"])


def populate(root: pathlib.Path, files: dict) -> None:
    # Directories first, then files, then symlinks (which may point at either).
    for rel, entry in sorted(files.items()):
        if entry.get("dir"):
            (root / rel).mkdir(parents=True, exist_ok=True)
    for rel, entry in sorted(files.items()):
        if "text" in entry or "base64" in entry:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(decode_file(entry))
            if "mode" in entry:
                path.chmod(entry["mode"])
    for rel, entry in sorted(files.items()):
        if "symlink" in entry:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(entry["symlink"], path)


def snapshot(root: pathlib.Path) -> dict:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            path = pathlib.Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = {"symlink": os.readlink(path)}
            elif path.is_dir():
                out[rel] = {"dir": True}
            else:
                out[rel] = encode_file(path.read_bytes())
    return out


def with_token(text: str, cwd: str) -> str:
    return text.replace(cwd, CWD_TOKEN)
