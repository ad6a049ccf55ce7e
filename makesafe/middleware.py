"""Response headers that Django does not set by itself."""


class SecurityHeadersMiddleware:
    """Keep pages with records out of browser and proxy caches.

    Every page a signed-in user sees may carry OFFICIAL-SENSITIVE records, so it is `no-store`;
    static files are served by WhiteNoise before this runs and keep their long cache lifetime.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        elif "Cache-Control" not in response:
            response["Cache-Control"] = "no-cache"
        return response
