"""``search_internet`` (DuckDuckGo Instant Answers) and ``search_wikipedia`` (MediaWiki API)."""

from __future__ import annotations

import os
import re

from strands import tool

from genai.net.fetch import get_json

SEARCH_API_URL = "https://api.duckduckgo.com/"
MEDIAWIKI_API_URL = "https://en.wikipedia.org/w/api.php"
MAX_RESULTS = 10


def _clamp(n: int) -> int:
    return max(1, min(int(n), MAX_RESULTS))


@tool
def search_internet(query: str, max_results: int = 5) -> str:
    """Search the web and return short answers and related links.

    Args:
        query: What to search for.
        max_results: How many related results to return (1-10).
    """
    data = get_json(
        os.environ.get("SEARCH_API_URL") or SEARCH_API_URL,
        {"q": query, "format": "json", "no_html": 1, "skip_disambig": 1, "no_redirect": 1},
    )
    lines: list[str] = []
    if data.get("AbstractText"):
        lines.append(f"{data.get('Heading') or query}: {data['AbstractText']}")
        if data.get("AbstractURL"):
            lines.append(f"Source: {data['AbstractURL']}")
    if data.get("Answer"):
        lines.append(f"Answer: {data['Answer']}")
    topics = []
    for topic in data.get("RelatedTopics", []):
        topics.extend(topic.get("Topics", [topic]))
    for topic in topics[: _clamp(max_results)]:
        if topic.get("Text"):
            lines.append(f"- {topic['Text']} ({topic.get('FirstURL', '')})")
    return "\n".join(lines) if lines else f"No results found for {query!r}."


@tool
def search_wikipedia(query: str, max_results: int = 3) -> str:
    """Search Wikipedia and return the introductions of the best matching articles.

    Args:
        query: Topic to look up.
        max_results: How many articles to return (1-10).
    """
    data = get_json(
        os.environ.get("MEDIAWIKI_API_URL") or MEDIAWIKI_API_URL,
        {
            "action": "query", "format": "json", "formatversion": 2,
            "generator": "search", "gsrsearch": query, "gsrlimit": _clamp(max_results),
            "prop": "extracts|info", "exintro": 1, "explaintext": 1, "exlimit": "max",
            "inprop": "url",
        },
    )
    pages = sorted(data.get("query", {}).get("pages", []), key=lambda p: p.get("index", 0))
    if not pages:
        return f"No Wikipedia articles found for {query!r}."
    parts = []
    for page in pages:
        extract = re.sub(r"\s+", " ", page.get("extract", "")).strip()[:1500]
        parts.append(f"## {page.get('title')}\n{extract}\n{page.get('fullurl', '')}".strip())
    return "\n\n".join(parts)
