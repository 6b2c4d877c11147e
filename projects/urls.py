from django.urls import path

from . import views
from .feeds import NewlyOpenedProjectsFeed

app_name = "projects"

# Fixed paths come before <slug>: models.RESERVED_SLUGS keeps slugs off them.
urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", NewlyOpenedProjectsFeed(), name="feed"),
    path("propose/", views.propose, name="propose"),
    path("mine/", views.mine, name="mine"),
    path("searches/save/", views.save_search, name="save_search"),
    path("searches/<int:pk>/", views.update_search, name="update_search"),
    path("memberships/<int:pk>/leave/", views.leave, name="leave"),
    path("memberships/<int:pk>/extend/", views.extend, name="extend"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/apply/<int:need_id>/", views.apply, name="apply"),
    path("<slug:slug>/updates/", views.post_update, name="post_update"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/team/write/", views.write_to_team, name="write_to_team"),
    path("<slug:slug>/needs/add/", views.edit_need, name="add_need"),
    path("<slug:slug>/needs/<int:pk>/", views.edit_need, name="edit_need"),
    path("<slug:slug>/applications/<int:pk>/decide/", views.decide, name="decide"),
]
