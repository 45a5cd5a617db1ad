"""Answers about activities, airdrops and FAQs from the knowledge base.

``AnswerStage`` is the router stage; ``KnowledgeBase`` holds the validated, hot-reloaded
base (and the official contracts the scam guard compares against);
``KnowledgeReloader`` keeps it current; ``KnowledgeSettings`` is its config section.
"""

from __future__ import annotations

from handlers.answers.knowledge import Knowledge, KnowledgeBase, KnowledgeError, load_file
from handlers.answers.reload import KnowledgeReloader
from handlers.answers.settings import KnowledgeSettings
from handlers.answers.stage import Answered, AnswerStage

__all__ = [
    "AnswerStage",
    "Answered",
    "Knowledge",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeReloader",
    "KnowledgeSettings",
    "load_file",
]
