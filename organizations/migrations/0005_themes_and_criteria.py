"""The shared themes and the Better Peace Tool criteria (ICAN, 2015), as data.

Titles are short paraphrases of the criteria, in the portal's four languages.
"""

from django.db import migrations

THEMES = [
    (
        "community-policing",
        "Community policing",
        "Police de proximité",
        "الشرطة المجتمعية",
        "Policía comunitaria",
    ),
    (
        "rehabilitation-reintegration",
        "Rehabilitation and reintegration",
        "Réhabilitation et réintégration",
        "إعادة التأهيل وإعادة الإدماج",
        "Rehabilitación y reintegración",
    ),
    ("education", "Education", "Éducation", "التعليم", "Educación"),
    (
        "alternative-narratives",
        "Alternative narratives",
        "Contre-discours et récits alternatifs",
        "الخطابات البديلة",
        "Narrativas alternativas",
    ),
    (
        "economic-empowerment",
        "Economic empowerment",
        "Autonomisation économique",
        "التمكين الاقتصادي",
        "Empoderamiento económico",
    ),
    (
        "gender",
        "Gender and women's rights",
        "Genre et droits des femmes",
        "النوع الاجتماعي وحقوق المرأة",
        "Género y derechos de las mujeres",
    ),
    ("youth", "Youth", "Jeunesse", "الشباب", "Juventud"),
    (
        "human-rights",
        "Human rights and rule of law",
        "Droits humains et état de droit",
        "حقوق الإنسان وسيادة القانون",
        "Derechos humanos y Estado de derecho",
    ),
    (
        "mediation-dialogue",
        "Mediation and dialogue",
        "Médiation et dialogue",
        "الوساطة والحوار",
        "Mediación y diálogo",
    ),
    (
        "justice-reconciliation",
        "Justice and reconciliation",
        "Justice et réconciliation",
        "العدالة والمصالحة",
        "Justicia y reconciliación",
    ),
    (
        "social-cohesion",
        "Social cohesion",
        "Cohésion sociale",
        "التماسك الاجتماعي",
        "Cohesión social",
    ),
    (
        "security-sector-reform",
        "Security sector governance",
        "Gouvernance du secteur de la sécurité",
        "حوكمة القطاع الأمني",
        "Gobernanza del sector de la seguridad",
    ),
    (
        "macroeconomic-policy",
        "Macroeconomic policy",
        "Politique macroéconomique",
        "السياسة الاقتصادية الكلية",
        "Política macroeconómica",
    ),
    (
        "humanitarian-aid",
        "Humanitarian aid and livelihoods",
        "Aide humanitaire et moyens de subsistance",
        "المساعدات الإنسانية وسبل العيش",
        "Ayuda humanitaria y medios de vida",
    ),
]

CRITERIA = [
    (
        "core_value",
        "core-non-violence",
        "Non-violence and peaceful resolution of disputes",
        "Non-violence et règlement pacifique des différends",
        "اللاعنف وحل النزاعات سلمياً",
        "No violencia y resolución pacífica de controversias",
    ),
    (
        "core_value",
        "core-rights",
        "Human rights, women's rights and peace",
        "Droits humains, droits des femmes et paix",
        "حقوق الإنسان وحقوق المرأة والسلام",
        "Derechos humanos, derechos de las mujeres y paz",
    ),
    (
        "core_value",
        "core-gender-sensitivity",
        "Gender sensitivity in security and governance",
        "Prise en compte du genre dans la sécurité et la gouvernance",
        "مراعاة النوع الاجتماعي في الأمن والحوكمة",
        "Sensibilidad de género en seguridad y gobernanza",
    ),
    (
        "core_value",
        "core-independence",
        "Political independence or non-partisanship",
        "Indépendance politique ou non-partisanerie",
        "الاستقلال السياسي أو عدم الانحياز الحزبي",
        "Independencia política o apartidismo",
    ),
    (
        "core_value",
        "core-inclusion",
        "Inclusion of women, youth, minorities and marginalized groups",
        "Inclusion des femmes, des jeunes, des minorités et des groupes marginalisés",
        "إشراك النساء والشباب والأقليات والفئات المهمشة",
        "Inclusión de mujeres, jóvenes, minorías y grupos marginados",
    ),
    (
        "competency",
        "competency-ground-experience",
        "Practical, gender-aware experience of realities on the ground",
        "Expérience pratique et sensible au genre des réalités du terrain",
        "خبرة عملية مراعية للنوع الاجتماعي بالواقع الميداني",
        "Experiencia práctica y con enfoque de género de la realidad sobre el terreno",
    ),
    (
        "competency",
        "competency-representation",
        "Record of representing women and civil society",
        "Expérience de représentation des femmes et de la société civile",
        "سجل في تمثيل النساء والمجتمع المدني",
        "Trayectoria representando a mujeres y a la sociedad civil",
    ),
    (
        "competency",
        "competency-aid-livelihoods",
        "Aid, early recovery or alternative livelihoods",
        "Aide, relèvement précoce ou moyens de subsistance alternatifs",
        "المساعدات أو التعافي المبكر أو سبل العيش البديلة",
        "Ayuda, recuperación temprana o medios de vida alternativos",
    ),
    (
        "competency",
        "competency-armed-groups",
        "Access to armed groups or prevention of recruitment",
        "Accès aux groupes armés ou prévention du recrutement",
        "الوصول إلى الجماعات المسلحة أو منع التجنيد",
        "Acceso a grupos armados o prevención del reclutamiento",
    ),
    (
        "competency",
        "competency-community-security",
        "Disarmament, rehabilitation and community security",
        "Désarmement, réhabilitation et sécurité communautaire",
        "نزع السلاح وإعادة التأهيل والأمن المجتمعي",
        "Desarme, rehabilitación y seguridad comunitaria",
    ),
    (
        "competency",
        "competency-mediation",
        "Mediation and peacemaking among communities",
        "Médiation et rétablissement de la paix entre communautés",
        "الوساطة وصنع السلام بين المجتمعات",
        "Mediación y construcción de paz entre comunidades",
    ),
    (
        "competency",
        "competency-social-cohesion",
        "Social cohesion and a culture of peace",
        "Cohésion sociale et culture de la paix",
        "التماسك الاجتماعي وثقافة السلام",
        "Cohesión social y cultura de paz",
    ),
    (
        "competency",
        "competency-justice",
        "Justice, reconciliation and work with victims",
        "Justice, réconciliation et travail avec les victimes",
        "العدالة والمصالحة والعمل مع الضحايا",
        "Justicia, reconciliación y trabajo con víctimas",
    ),
    (
        "competency",
        "competency-resources-land",
        "Natural resources and land rights, with attention to communities and women",
        "Ressources naturelles et droits fonciers, attentifs aux communautés et aux femmes",
        "الموارد الطبيعية وحقوق الأرض مع مراعاة المجتمعات المحلية والنساء",
        "Recursos naturales y derechos sobre la tierra, atendiendo a comunidades y mujeres",
    ),
    (
        "constituency",
        "constituency-grounded",
        "A constituency on the ground",
        "Une base ancrée sur le terrain",
        "قاعدة شعبية على أرض الواقع",
        "Una base arraigada sobre el terreno",
    ),
    (
        "constituency",
        "constituency-feedback",
        "Feedback mechanisms with local communities, marginalized groups included",
        "Mécanismes d'échange avec les communautés locales, groupes marginalisés compris",
        "آليات للتواصل مع المجتمعات المحلية بما فيها الفئات المهمشة",
        "Mecanismos de retroalimentación con las comunidades locales, incluidos los grupos marginados",
    ),
    (
        "constituency",
        "constituency-mobilize",
        "Capacity to mobilize and influence public opinion",
        "Capacité de mobiliser et d'influencer l'opinion publique",
        "القدرة على الحشد والتأثير في الرأي العام",
        "Capacidad de movilizar e influir en la opinión pública",
    ),
    (
        "constituency",
        "constituency-diversity",
        "Diverse representation of women, youth, minorities or regions",
        "Représentation diverse des femmes, des jeunes, des minorités ou des régions",
        "تمثيل متنوع للنساء والشباب والأقليات أو المناطق",
        "Representación diversa de mujeres, jóvenes, minorías o regiones",
    ),
]

LANGUAGES = ("en", "fr", "ar", "es")


def load(apps, schema_editor):
    Theme = apps.get_model("organizations", "Theme")
    Criterion = apps.get_model("organizations", "Criterion")
    for order, (slug, *names) in enumerate(THEMES):
        Theme.objects.update_or_create(
            slug=slug, defaults={"order": order, "names": dict(zip(LANGUAGES, names, strict=True))}
        )
    for order, (group, code, *titles) in enumerate(CRITERIA):
        Criterion.objects.update_or_create(
            code=code,
            defaults={
                "group": group,
                "order": order,
                "titles": dict(zip(LANGUAGES, titles, strict=True)),
            },
        )


def unload(apps, schema_editor):
    apps.get_model("organizations", "Criterion").objects.filter(
        code__in=[code for _group, code, *_titles in CRITERIA]
    ).delete()
    apps.get_model("organizations", "Theme").objects.filter(
        slug__in=[slug for slug, *_names in THEMES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("organizations", "0004_directory")]

    operations = [migrations.RunPython(load, unload)]
