from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from tenants.models import Account, Contract, Membership, Organization, Product, Tier, User, Version
from tenants.signals import contract_tier_changed_announce


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "staff_role", "is_active", "last_login"]
    list_filter = ["staff_role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "phone", "time_zone"]}),
        (
            "Vendor staff",
            {"fields": ["staff_role", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("State", {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2", "staff_role"]})
    ]


class OrganizationInline(admin.TabularInline):
    model = Organization
    extra = 0


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    filter_horizontal = ["products"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "technical_account_manager"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [OrganizationInline, ContractInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "account"]
    search_fields = ["name", "account__name"]
    list_select_related = ["account"]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "can_file_cases", "channels", "rank"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["account", "tier", "start_date", "end_date"]
    list_filter = ["tier"]
    search_fields = ["account__name"]
    filter_horizontal = ["products"]
    list_select_related = ["account", "tier"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "tier" in form.changed_data:
            # What is measured against this contract's tier (its open cases) must follow: announce it.
            contract_tier_changed_announce(contract_ids=[obj.pk])


class VersionInline(admin.TabularInline):
    model = Version
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "support_years"]
    inlines = [VersionInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role", "all_organizations", "is_active"]
    list_filter = ["role", "is_active", "account"]
    search_fields = ["user__email", "account__name"]
    filter_horizontal = ["organizations"]
    list_select_related = ["user", "account"]
    raw_id_fields = ["user", "invited_by"]
