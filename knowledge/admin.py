from django.contrib import admin

from knowledge.models import Article, ArticleRevision, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    fields = ["change", "title", "status", "audience", "edited_by", "edited_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles are written in the product (/kb/manage/), where every change leaves a revision; here they
    are only looked at."""

    list_display = ["title", "category", "audience", "status", "updated_at"]
    list_filter = ["status", "audience", "category"]
    search_fields = ["title"]
    readonly_fields = [field.name for field in Article._meta.fields] + ["products", "versions"]
    inlines = [RevisionInline]

    def has_add_permission(self, request):
        return False
