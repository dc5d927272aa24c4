"""Searching articles: PostgreSQL full-text search, or a plain `icontains` search on SQLite (the embedded
default of `make run`). The choice is made here, by the connection's vendor, and nowhere else.

PostgreSQL: a stored tsvector (`Article.search_vector`: title weight A, summary and body weight B, English
stemming, so "printing" finds "printer" and "printers") behind a GIN index; results ordered by ts_rank, a
title hit above a body hit; snippets from ts_headline with the matched words highlighted.

Callers pass the articles the reader may see (knowledge.visibility.articles_visible_to) and get them back
filtered and ordered: search never widens what someone can read.
"""

import re
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from knowledge.models import Article

CONFIG = "english"
MAX_WORDS = 8  # of a subject or a search: enough to find an article, few enough to stay fast
MAX_QUERY_CHARS = 200
# Marks ts_headline puts around a match: characters no article has, swapped for <mark> after escaping.
START, STOP = "\ue000", "\ue001"
MARKDOWN_NOISE = re.compile(r"[*_`#|>]+|-{3,}|:?-{2,}:?")
WORD = re.compile(r"[^\W_]+")  # letters and digits: safe to hand to to_tsquery one by one


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def article_search_vector():
    return SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "summary", "body", weight="B", config=CONFIG
    )


def search_vectors_refresh(*, article_ids) -> None:
    """Recompute the stored search vectors of these articles (after they were written). Nothing on SQLite."""
    if uses_full_text():
        Article.objects.filter(pk__in=article_ids).update(
            search_vector=article_search_vector(), title_vector=SearchVector("title", config=CONFIG)
        )


def _words(text: str) -> list[str]:
    return [word for word in WORD.findall((text or "")[:MAX_QUERY_CHARS].lower()) if len(word) > 1][
        :MAX_WORDS
    ]


def _any_word(words: list[str]) -> SearchQuery:
    # Each word is letters and digits only, so the raw tsquery cannot be malformed; to_tsquery stems each
    # and drops stop words.
    return SearchQuery(" | ".join(words), search_type="raw", config=CONFIG)


def article_search(articles: QuerySet[Article], text: str, *, suggest: bool = False) -> QuerySet[Article]:
    """`articles` matching `text`, best first, each annotated with `rank`.

    A search needs every word to match, in the title or the body. A suggestion (from a case subject as it is
    typed) needs one word of the subject in an article's title: "printer not printing double-sided" still
    finds "Duplex printing", and titles are what a subject resembles. It matches and ranks the small
    `title_vector` (its own GIN index), not the whole article's: fast on a large knowledge base
    (bench/bench_knowledge.py).
    """
    text = (text or "").replace("\x00", "")  # PostgreSQL text cannot hold a NUL; nobody types one to search
    words = _words(text)
    if not words:
        return articles.none()
    if uses_full_text():
        if suggest:
            query, vector = _any_word(words), "title_vector"
        else:
            query = SearchQuery(text[:MAX_QUERY_CHARS], search_type="websearch", config=CONFIG)
            vector = "search_vector"
        return (
            articles.filter(**{vector: query})
            .annotate(rank=SearchRank(F(vector), query))
            .order_by("-rank", "-updated_at", "pk")
        )
    if suggest:
        condition = reduce(or_, [Q(title__icontains=word) for word in words])
    else:
        matches = [Q(title__icontains=w) | Q(summary__icontains=w) | Q(body__icontains=w) for w in words]
        condition = reduce(lambda a, b: a & b, matches)
    # A word in the title counts three, in the summary or body one.
    rank = sum(
        (
            Case(
                When(title__icontains=word, then=Value(3)),
                When(Q(summary__icontains=word) | Q(body__icontains=word), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for word in words
        ),
        Value(0),
    )
    return articles.filter(condition).annotate(rank=rank).order_by("-rank", "-updated_at", "pk")


def search_snippets(*, articles: list[Article], text: str) -> dict[int, SafeString]:
    """A short, escaped piece of each article's body around what matched, the matches in <mark>: HTML safe
    to show. Computed only for the handful of articles on a page of results."""
    ids = [article.pk for article in articles]
    if not ids or not _words(text):
        return {}
    if uses_full_text():
        query = _any_word(_words(text))
        rows = Article.objects.filter(pk__in=ids).annotate(
            snippet=SearchHeadline(
                "body",
                query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=28,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        return {pk: _marked(snippet) for pk, snippet in rows.values_list("pk", "snippet")}
    return {article.pk: _icontains_snippet(article.body, _words(text)) for article in articles}


def _marked(snippet: str) -> SafeString:
    # Markdown's punctuation (**, #, table pipes and rules) reads as noise in a one-line snippet.
    snippet = " ".join(MARKDOWN_NOISE.sub(" ", snippet).split())
    # Safe: everything is escaped first; only our own <mark> tags go back in.
    return mark_safe(escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def _icontains_snippet(body: str, words: list[str], width: int = 160) -> SafeString:
    lowered = body.lower()
    found = [lowered.find(word) for word in words if word in lowered]
    start = max(0, min(found) - width // 3) if found else 0
    piece = body[start : start + width]
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    marked = pattern.sub(lambda match: START + match.group(0) + STOP, piece)
    return _marked(("… " if start else "") + marked + (" …" if start + width < len(body) else ""))
