from . import letter_urls, placement_urls, pupil_urls, school_urls

app_name = "schooling"

urlpatterns = (
    pupil_urls.urlpatterns
    + letter_urls.urlpatterns
    + placement_urls.urlpatterns
    + school_urls.urlpatterns
)
