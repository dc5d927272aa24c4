from django.urls import path

from knowledge import api

urlpatterns = [
    path("articles/", api.ArticleList.as_view(), name="api-article-list"),
    path("articles/<int:pk>/", api.ArticleDetail.as_view(), name="api-article-detail"),
]
