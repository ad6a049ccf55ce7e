from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path

from premises import urls as premises_urls
from training.views import operation_plan, premises_detail
from visits import urls as visits_urls

from . import views

# One sign-in page for the whole site: the support site sends people to it too.
admin.site.login = login_not_required(
    lambda request, extra_context=None: redirect_to_login(request.get_full_path())
)
admin.site.site_header = "Makesafe support"
admin.site.site_title = "Makesafe support"

# The premises page shows the premises' visits and training as well, so its view lives in
# training (the app that may read all three) and joins the premises' own URLs here.
premises_patterns = [path("<int:pk>/", premises_detail, name="detail"), *premises_urls.urlpatterns]
# So is the planner, which ranks premises by their visits and training (training/planner.py).
visits_patterns = [
    path("operations/plan/", operation_plan, name="operation_plan"),
    *visits_urls.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("more/", views.more, name="more"),
    path("accounts/", include("accounts.urls")),
    path("premises/", include((premises_patterns, premises_urls.app_name))),
    path("visits/", include((visits_patterns, visits_urls.app_name))),
    path("training/", include("training.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
    path("retention/", include("retention.urls")),
    path("support/", admin.site.urls),
]

handler403 = "common.errors.forbidden"
handler404 = "common.errors.not_found"
handler500 = "common.errors.server_error"
