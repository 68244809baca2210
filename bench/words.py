"""The words and skews of the benchmark dataset (bench/data.py): names and summaries in English,
French, Arabic and Spanish, and the weights of languages, sectors, tiers, countries and vetting
states."""

# Names and summaries.
# (kind, focus, place) per language; a name is kind + focus + place, a summary a sentence.
WORDS = {
    "en": (
        ["Network", "Coalition", "Association", "Forum", "Centre", "Alliance", "Initiative"],
        [
            "of Women Mediators",
            "for Peace",
            "for Human Security",
            "of Young Peacebuilders",
            "for Dialogue and Reconciliation",
            "against Small Arms",
            "for Justice",
        ],
        [
            "in Kivu",
            "of the Sahel",
            "in Mindanao",
            "of the Great Lakes",
            "in Mosul",
            "in Cauca",
            "of the Horn of Africa",
            "in Juba",
        ],
        "Works with {who} on {what} across {n} communities.",
        ["women and girls", "young people", "displaced families", "local leaders"],
        ["mediation", "early warning", "disarmament", "transitional justice"],
    ),
    "fr": (
        ["Réseau", "Collectif", "Association", "Forum", "Centre", "Alliance", "Initiative"],
        [
            "des médiatrices",
            "pour la paix",
            "pour la sécurité humaine",
            "des jeunes bâtisseurs",
            "pour le dialogue et la réconciliation",
            "contre les armes légères",
            "pour l'égalité",
        ],
        [
            "du Kivu",
            "du Sahel",
            "de Kayes",
            "des Grands Lacs",
            "de Bangui",
            "du Tchad",
            "de Côte d'Ivoire",
            "de Goma",
        ],
        "Accompagne {who} dans {what} auprès de {n} communautés.",
        ["les femmes élues", "les déplacés", "les jeunes", "les chefs coutumiers"],
        ["la médiation", "l'alerte précoce", "le désarmement", "la justice transitionnelle"],
    ),
    "ar": (
        ["شبكة", "تحالف", "جمعية", "منتدى", "مركز", "مبادرة", "رابطة"],
        [
            "الوسيطات",
            "من أجل السلام",
            "للأمن الإنساني",
            "الشباب بناة السلام",
            "للحوار والمصالحة",
            "لمكافحة الأسلحة الخفيفة",
            "للعدالة",
        ],
        [
            "في الموصل",
            "في اليمن",
            "في دارفور",
            "في طرابلس",
            "في حلب",
            "في غزة",
            "في الخرطوم",
            "في بنغازي",
        ],
        "تعمل مع {who} في مجال {what} في {n} مجتمعاً محلياً.",
        ["النساء", "الشباب", "النازحين", "القيادات المحلية"],
        ["الوساطة", "الإنذار المبكر", "نزع السلاح", "العدالة الانتقالية"],
    ),
    "es": (
        ["Red", "Coalición", "Asociación", "Foro", "Centro", "Alianza", "Iniciativa"],
        [
            "de Mediadoras",
            "por la Paz",
            "por la Seguridad Humana",
            "de Jóvenes Constructores",
            "para el Diálogo y la Reconciliación",
            "contra las Armas Pequeñas",
            "por la Justicia",
        ],
        [
            "del Cauca",
            "de Nariño",
            "de Chocó",
            "del Catatumbo",
            "de Putumayo",
            "de Urabá",
            "de Montes de María",
            "de Antioquia",
        ],
        "Acompaña a {who} en {what} en {n} comunidades.",
        ["mujeres lideresas", "jóvenes", "familias desplazadas", "autoridades locales"],
        ["mediación", "alerta temprana", "desarme", "justicia transicional"],
    ),
}
# Skews, as (value, weight): most organizations are English- or French-speaking civil society.
LANGUAGES = [("en", 45), ("fr", 25), ("ar", 15), ("es", 15)]
SECTORS = [
    ("civil_society", 70),
    ("research", 6),
    ("government", 6),
    ("donor", 4),
    ("private", 4),
    ("media", 4),
    ("security_sector", 3),
    ("multilateral", 3),
]
TIERS = [("public", 55), ("network", 35), ("restricted", 10)]
HOT_COUNTRIES = [
    "CD",
    "ML",
    "SS",
    "SD",
    "CO",
    "NG",
    "IQ",
    "YE",
    "SY",
    "LY",
    "CF",
    "TD",
    "SO",
    "AF",
    "PH",
    "MZ",
    "BF",
    "NE",
    "CM",
    "ET",
]
# Vetting, for civil society: "" is never applied. Weighted, plus every state at least once.
VETTING = [
    ("", 30),
    ("approved", 30),
    ("draft", 10),
    ("submitted", 8),
    ("in_review", 7),
    ("changes_requested", 5),
    ("declined", 5),
    ("expired", 5),
]
ASSESSED = {"in_review", "changes_requested", "approved", "declined", "expired"}

# Recommendations (bench/recommendations.py): a title is verb + object, a text a sentence, in
# the three languages the recommendations' search vectors stem. SEARCHED are words of these
# texts that `make bench` searches for, one per language.
RECOMMENDATION_WORDS = {
    "en": (
        ["Fund", "Train", "Protect", "Consult", "Monitor", "Strengthen", "Support"],
        [
            "community policing forums",
            "women mediators",
            "youth networks",
            "the families of returnees",
            "local peacebuilders",
            "independent civil society",
            "early warning by communities",
        ],
        "{who} should {verb} {what} {where} within {n} months, with {partner}.",
        ["Governments", "Police services", "Donors", "Multilateral bodies", "Ministries"],
        ["in border districts", "in the capital", "in rural areas", "in displacement camps"],
        ["local organizations", "women's groups", "youth councils", "religious leaders"],
    ),
    "fr": (
        ["Financer", "Former", "Protéger", "Consulter", "Suivre", "Renforcer", "Soutenir"],
        [
            "les forums de police de proximité",
            "les médiatrices",
            "les réseaux de jeunes",
            "les familles des rapatriés",
            "les artisans de paix locaux",
            "la société civile indépendante",
            "l'alerte précoce communautaire",
        ],
        "{who} devraient {verb} {what} {where} d'ici {n} mois, avec {partner}.",
        ["Les gouvernements", "Les services de police", "Les bailleurs", "Les ministères"],
        ["dans les zones frontalières", "dans la capitale", "en milieu rural", "dans les camps"],
        ["les associations locales", "les groupes de femmes", "les conseils de jeunes"],
    ),
    "ar": (
        ["تمويل", "تدريب", "حماية", "استشارة", "متابعة", "تعزيز", "دعم"],
        [
            "منتديات الشرطة المجتمعية",
            "الوسيطات",
            "شبكات الشباب",
            "أسر العائدين",
            "بناة السلام المحليين",
            "المجتمع المدني المستقل",
            "الإنذار المبكر المجتمعي",
        ],
        "ينبغي على {who} {verb} {what} {where} خلال {n} شهراً بالتعاون مع {partner}.",
        ["الحكومات", "أجهزة الشرطة", "الجهات المانحة", "الوزارات"],
        ["في المناطق الحدودية", "في العاصمة", "في المناطق الريفية", "في المخيمات"],
        ["المنظمات المحلية", "المجموعات النسائية", "مجالس الشباب"],
    ),
}
RECOMMENDATION_LANGUAGES = [("en", 50), ("fr", 30), ("ar", 20)]
SEARCHED = {"en": "policing", "fr": "médiatrices", "ar": "الوسيطات"}
