from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path

from . import views

# One sign-in page for the whole site: the support site sends people to it too.
admin.site.login = login_not_required(
    lambda request, extra_context=None: redirect_to_login(request.get_full_path())
)
admin.site.site_header = "Makesafe support"
admin.site.site_title = "Makesafe support"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("more/", views.more, name="more"),
    path("accounts/", include("accounts.urls")),
    path("premises/", include("premises.urls")),
    path("visits/", include("visits.urls")),
    path("training/", include("training.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
    path("retention/", include("retention.urls")),
    path("support/", admin.site.urls),
]

handler403 = "makesafe.errors.forbidden"
handler404 = "makesafe.errors.not_found"
handler500 = "makesafe.errors.server_error"
