"""Articles: the model, the page parser and the library loader."""

from .errors import AssistantError, ContentError
from .loader import DEFAULT_CONTENT_DIR, build_library, load_library, read_page
from .model import Article, Exercise, Library, Step, slugify, to_dict
from .parser import parse_page

__all__ = [
    "DEFAULT_CONTENT_DIR",
    "Article",
    "AssistantError",
    "ContentError",
    "Exercise",
    "Library",
    "Step",
    "build_library",
    "load_library",
    "parse_page",
    "read_page",
    "slugify",
    "to_dict",
]
