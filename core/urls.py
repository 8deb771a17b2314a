from __future__ import annotations

from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/switch/", views.organization_switch, name="organization_switch"),
    path("members/", views.organization_members, name="organization_members"),
    path("members/<int:pk>/role/", views.MembershipRoleView.as_view(), name="membership_role"),
    path("members/<int:pk>/remove/", views.MembershipRemoveView.as_view(), name="membership_remove"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/<int:pk>/", views.AuditEventDetailView.as_view(), name="audit_event"),
]
