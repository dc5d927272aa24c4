"""GET /api/v1/articles/ (with ?search=) and /api/v1/articles/{id}/: the articles the caller may read, through
knowledge.visibility like every page. Open without sign-in (public articles); an article the caller may not
read answers 404, exactly like one that does not exist."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from knowledge.models import Article
from knowledge.search import article_search, search_snippets
from knowledge.text import article_html
from knowledge.visibility import articles_visible_to
from lib.keys import key_or_none


class ArticleSummarySerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    url = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField(help_text="With ?search=: HTML, the matched words in <mark>.")

    class Meta:
        model = Article
        fields = ["id", "title", "summary", "category", "audience", "status", "url", "updated_at", "snippet"]

    def get_url(self, article) -> str:
        return self.context["request"].build_absolute_uri(article.get_absolute_url())

    def get_snippet(self, article) -> str:
        return self.context.get("snippets", {}).get(article.pk, "")


class ArticleSerializer(ArticleSummarySerializer):
    products = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    versions = serializers.StringRelatedField(many=True)
    body_html = serializers.SerializerMethodField(help_text="The body rendered and sanitised.")

    class Meta(ArticleSummarySerializer.Meta):
        fields = [f for f in ArticleSummarySerializer.Meta.fields if f != "snippet"] + [
            "published_at",
            "products",
            "versions",
            "body",
            "body_html",
        ]

    def get_body_html(self, article) -> str:
        return str(article_html(article.body))


class ArticleList(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ArticleSummarySerializer

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Full-text search, best match first.")],
        responses=ArticleSummarySerializer(many=True),
    )
    def get(self, request):
        text = request.query_params.get("search", "").strip()[:200]
        articles = (
            articles_visible_to(request.user)
            .select_related("category")
            .defer("body", "search_vector", "title_vector")
        )
        articles = article_search(articles, text) if text else articles.order_by("-updated_at", "pk")
        page = self.paginate_queryset(articles)
        snippets = search_snippets(articles=page, text=text) if text else {}
        serializer = ArticleSummarySerializer(
            page, many=True, context={"request": request, "snippets": snippets}
        )
        return self.get_paginated_response(serializer.data)


class ArticleDetail(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ArticleSerializer

    def get(self, request, pk):
        if key_or_none(pk) is None:
            raise Http404
        article = (
            articles_visible_to(request.user)
            .select_related("category")
            .prefetch_related("products", "versions__product")
            .filter(pk=pk)
            .first()
        )
        if article is None:
            raise Http404
        return Response(ArticleSerializer(article, context={"request": request}).data)
