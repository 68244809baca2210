from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self):
        from dialogues.timeline import register_timeline_source
        from recommendations.timeline import (
            recommendations_audience,
            recommendations_timeline_source,
        )

        # The road to the convening lists publications and the cycles' milestones too.
        register_timeline_source(
            "recommendations",
            recommendations_timeline_source,
            audience=recommendations_audience,
        )
