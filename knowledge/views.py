"""Knowledge base pages. Thin: every article is reached through knowledge.visibility (a 404 for one the reader
may not read, exactly as for one that does not exist); writes go through knowledge.services."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from knowledge.forms import ArticleForm
from knowledge.models import Article, ArticleStatus
from knowledge.search import article_search, search_snippets
from knowledge.selectors import (
    article_feedback_of,
    article_for_reader,
    article_helpfulness,
    article_related,
    article_sent_count,
    articles_for_staff,
    categories_for_reader,
)
from knowledge.services import (
    article_create,
    article_feedback_record,
    article_publish,
    article_unpublish,
    article_update,
    suggestion_record_opened,
    suggestions_record_shown,
)
from knowledge.text import article_html
from knowledge.visibility import articles_customers_read, articles_visible_to, may_write_articles
from lib.keys import key_or_none
from lib.pagination import page_of

PAGE_SIZE = 20
UNSHOWN = [
    "body",
    "search_vector",
    "title_vector",
]  # lists show titles and summaries; snippets are fetched apart
SUGGESTIONS = 5
PICKER_RESULTS = 10


def _readable_or_404(request, pk) -> Article:
    if key_or_none(pk) is None:
        raise Http404  # a number no row can have (PostgreSQL's bigint ends at 2**63 - 1)
    try:
        return article_for_reader(user=request.user, pk=pk)
    except Article.DoesNotExist:
        raise Http404 from None


def kb_home(request):
    return render(request, "knowledge/home.html", {"shelves": categories_for_reader(user=request.user)})


def kb_search(request):
    text = request.GET.get("q", "").strip()[:200]
    page = page_of(
        article_search(articles_visible_to(request.user).select_related("category").defer(*UNSHOWN), text),
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    snippets = search_snippets(articles=page.object_list, text=text)
    results = [(article, snippets.get(article.pk, "")) for article in page.object_list]
    return render(
        request,
        "knowledge/search.html",
        {"text": text, "page": page, "results": results, "query": f"q={text}" if text else ""},
    )


def kb_article(request, pk, slug=None):
    article = _readable_or_404(request, pk)
    if slug != article.slug:
        # An old title's slug, or none: the article's one address, so links to any earlier title keep working.
        query = request.GET.urlencode()
        return redirect(article.get_absolute_url() + (f"?{query}" if query else ""), permanent=True)
    suggested_in = request.GET.get("suggested", "")
    if suggested_in:
        suggestion_record_opened(user=request.user, form_session=suggested_in, article=article)
    is_staff = may_write_articles(request.user)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "body_html": article_html(article.body),
            "related": article_related(article=article, user=request.user),
            "helpfulness": article_helpfulness(article=article) if is_staff else None,
            "sent_count": article_sent_count(article=article) if is_staff else None,
            "my_feedback": article_feedback_of(
                article=article, user=request.user, session_key=request.session.session_key or ""
            ),
            "is_staff": is_staff,
        },
    )


@require_POST
def kb_article_helpful(request, pk):
    article = _readable_or_404(request, pk)
    answer = request.POST.get("helpful")
    if answer not in ("yes", "no"):
        messages.error(request, "Choose yes or no.")
        return redirect(article)
    if not request.session.session_key:
        request.session.save()  # someone not signed in answers once per browser session
    article_feedback_record(
        article=article, user=request.user, session_key=request.session.session_key, helpful=answer == "yes"
    )
    messages.success(request, "Thank you for telling us.")
    return redirect(article)


@require_GET
def kb_suggestions(request):
    """JSON for the new-case form: the articles the reader may read that match the subject typed so far.
    Each one shown is remembered for the form session (`session`, drawn by the form's script)."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Sign in to see suggestions."}, status=401)
    text = request.GET.get("q", "").strip()[:200]
    form_session = request.GET.get("session", "")[:40]
    readable = articles_visible_to(request.user).defer(*UNSHOWN)
    articles = list(article_search(readable, text, suggest=True)[:SUGGESTIONS])
    suggestions_record_shown(user=request.user, form_session=form_session, articles=articles)
    opened_from = f"?suggested={form_session}" if form_session.isalnum() else ""
    return JsonResponse(
        {
            "results": [
                {
                    "id": article.pk,
                    "title": article.title,
                    "summary": article.summary,
                    "url": article.get_absolute_url() + opened_from,
                }
                for article in articles
            ]
        }
    )


# ---------------------------------------------------------------------------------------------------------
# Staff: write, preview, publish, history.


def staff_page(view):
    """A page for vendor staff only: anyone else gets 404, as if it did not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_write_articles(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _article_or_404(request, pk) -> Article:
    if key_or_none(pk) is None:
        raise Http404
    article = articles_visible_to(request.user).filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def _form_errors_from(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@staff_page
def kb_manage(request):
    page = page_of(articles_for_staff(user=request.user), number=request.GET.get("page"), per_page=50)
    return render(request, "knowledge/manage.html", {"page": page})


@staff_page
def kb_article_new(request):
    form = ArticleForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = article_html(form.cleaned_data["body"])
        else:
            try:
                article = article_create(
                    actor=request.user, publish="publish" in request.POST, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                messages.success(request, "Article published." if article.is_published else "Draft saved.")
                return redirect("kb_article_edit", pk=article.pk)
    return render(
        request,
        "knowledge/edit.html",
        {"form": form, "article": None, "preview": preview},
        status=400 if form.errors else 200,  # mistakes shown again answer 400, as everywhere else
    )


@staff_page
def kb_article_edit(request, pk):
    article = _article_or_404(request, pk)
    initial = {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "category": article.category_id,
        "audience": article.audience,
        "products": list(article.products.all()),
        "versions": list(article.versions.all()),
    }
    form = ArticleForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = article_html(form.cleaned_data["body"])
        else:
            try:
                article = article_update(article=article, actor=request.user, **form.cleaned_data)
                if "publish" in request.POST:
                    article = article_publish(article=article, actor=request.user)
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                messages.success(request, "Article published." if "publish" in request.POST else "Saved.")
                return redirect("kb_article_edit", pk=article.pk)
    return render(
        request,
        "knowledge/edit.html",
        {"form": form, "article": article, "preview": preview},
        status=400 if form.errors else 200,  # mistakes shown again answer 400, as everywhere else
    )


@staff_page
def kb_article_status(request, pk, to):
    """Publish a draft, or take a published article back to draft."""
    article = _article_or_404(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if to == ArticleStatus.PUBLISHED:
        article_publish(article=article, actor=request.user)
        messages.success(request, "Article published.")
    else:
        article_unpublish(article=article, actor=request.user)
        messages.success(request, "Article taken back to draft: only staff can read it now.")
    return redirect("kb_article_edit", pk=article.pk)


@staff_page
def kb_article_history(request, pk):
    article = _article_or_404(request, pk)
    revisions = article.revisions.select_related("edited_by")
    return render(request, "knowledge/history.html", {"article": article, "revisions": revisions})


@staff_page
def kb_article_picker(request):
    """JSON for an engineer's "knowledge-base link" reply: published articles customers may read whose title
    matches. (The case page's picker is hooked to it separately.)"""
    # PostgreSQL text cannot hold a NUL: dropped, like the search does.
    text = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    articles = articles_customers_read()
    if text:
        articles = articles.filter(title__icontains=text)
    articles = articles.order_by("title")[:PICKER_RESULTS]
    return JsonResponse(
        {
            "results": [
                {
                    "id": article.pk,
                    "title": article.title,
                    "audience": article.audience,
                    "url": request.build_absolute_uri(article.get_absolute_url()),
                }
                for article in articles
            ]
        }
    )


def kb_article_by_id(request, pk):
    """/kb/articles/<id>/: the article's address without its slug (what a short link looks like)."""
    return kb_article(request, pk)
