from django.urls import path

from knowledge import views
from knowledge.models import ArticleStatus

urlpatterns = [
    path("kb/", views.kb_home, name="kb_home"),
    path("kb/search/", views.kb_search, name="kb_search"),
    path("kb/suggestions/", views.kb_suggestions, name="kb_suggestions"),
    path("kb/articles/<int:pk>/", views.kb_article_by_id, name="kb_article_by_id"),
    path("kb/articles/<int:pk>-<str:slug>/", views.kb_article, name="kb_article"),
    path("kb/articles/<int:pk>/helpful/", views.kb_article_helpful, name="kb_article_helpful"),
    path("kb/manage/", views.kb_manage, name="kb_manage"),
    path("kb/manage/new/", views.kb_article_new, name="kb_article_new"),
    path("kb/manage/articles.json", views.kb_article_picker, name="kb_article_picker"),
    path("kb/manage/<int:pk>/", views.kb_article_edit, name="kb_article_edit"),
    path("kb/manage/<int:pk>/history/", views.kb_article_history, name="kb_article_history"),
    path(
        "kb/manage/<int:pk>/publish/",
        views.kb_article_status,
        {"to": ArticleStatus.PUBLISHED},
        name="kb_article_publish",
    ),
    path(
        "kb/manage/<int:pk>/unpublish/",
        views.kb_article_status,
        {"to": ArticleStatus.DRAFT},
        name="kb_article_unpublish",
    ),
]
