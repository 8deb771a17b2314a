from __future__ import annotations

from django.urls import path

from core import language, views

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", language.set_language, name="set_language"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/switch/", views.organization_switch, name="organization_switch"),
    path("members/", views.organization_members, name="organization_members"),
    path("members/<int:pk>/role/", views.MembershipRoleView.as_view(), name="membership_role"),
    path("members/<int:pk>/remove/", views.MembershipRemoveView.as_view(), name="membership_remove"),
    path("members/invitations/<int:pk>/resend/", views.InvitationResendView.as_view(), name="invitation_resend"),
    path("members/invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/<int:pk>/", views.AuditEventDetailView.as_view(), name="audit_event"),
]
