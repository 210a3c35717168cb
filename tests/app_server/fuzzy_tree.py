"""The tree the fuzzyFileSearch tests search, and the queries asked of it.
record_fuzzy_reference.py records the reference's answers over the same
tree into fuzzy_reference.json; test_fuzzy_file_search.py compares ours."""
import os

FILES = [
    ".git/HEAD", ".git/info/exclude", ".gitignore", ".ignore", ".hidden/mainrc",
    "Makefile", "README.md", "app.log", "keep.log", "secret.txt",
    "build/main.o", "node_modules/pkg/main.js",
    "docs/manual.md", "src/main.c", "src/util/buf.c", "src/util/main_helper.h",
    "src/util/misc.c", "Foo/Bar/fooBar.txt", "src/sandbox/sandbox.c",
    "src/sandbox/bwrap.c", "vendor/.ignore", "vendor/generated.c", "vendor/vendored.c",
    "\u00e9t\u00e9/caf\u00e9.txt",
]
CONTENT = {
    ".git/HEAD": "ref: refs/heads/main\n",
    ".git/info/exclude": "secret.txt\n",
    ".gitignore": "build/\n*.log\n!keep.log\n",
    ".ignore": "node_modules\n",
    "vendor/.ignore": "gen*\n",
}
DIRS = ["empty_dir"]

# Queries whose answers have fewer than 50 entries, so no tie is cut.
QUERIES = ["main", "ma", "src", "SRC", "HEAD", "mc", "util/", "sc", "fb", "main c", "misc.c",
           "sandbox", "keep", "log", "gen", "caf", "\u00e9t\u00e9", "zzz", "", "b", "exclude",
           "node", "secret", "empty", "manual", "link"]


def build(root):
    for rel in FILES:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(CONTENT.get(rel, "x\n"))
    for d in DIRS:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    os.symlink("docs", os.path.join(root, "linkdocs"))  # followed
    os.symlink("..", os.path.join(root, "src", "up"))  # a loop: skipped


def normalize(files, root):
    """Answers with the root replaced, so recordings compare across trees."""
    return [dict(f, root=f["root"].replace(root, "<root>")) for f in files]
