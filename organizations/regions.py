"""World regions, derived from ISO 3166 country codes (World Bank grouping, with Antarctica and
the uninhabited territories under the region nearest to them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    EAST_ASIA_PACIFIC = "east_asia_pacific", _("East Asia and Pacific")
    EUROPE_CENTRAL_ASIA = "europe_central_asia", _("Europe and Central Asia")
    LATIN_AMERICA_CARIBBEAN = "latin_america_caribbean", _("Latin America and the Caribbean")
    MIDDLE_EAST_NORTH_AFRICA = "middle_east_north_africa", _("Middle East and North Africa")
    NORTH_AMERICA = "north_america", _("North America")
    SOUTH_ASIA = "south_asia", _("South Asia")
    SUB_SAHARAN_AFRICA = "sub_saharan_africa", _("Sub-Saharan Africa")


_MEMBERS = {
    Region.EAST_ASIA_PACIFIC: (
        "AQ AS AU BN CC CK CN CX FJ FM GU HK HM ID JP KH KI KP KR LA MH MM MN MO MP MY NC NF "
        "NR NU NZ PF PG PH PN PW SB SG TH TK TL TO TV TW UM VN VU WF WS"
    ),
    Region.EUROPE_CENTRAL_ASIA: (
        "AD AL AM AT AX AZ BA BE BG BV BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GL GR HR "
        "HU IE IM IS IT JE KG KZ LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK "
        "SM TJ TM TR UA UZ VA"
    ),
    Region.LATIN_AMERICA_CARIBBEAN: (
        "AG AI AR AW BB BL BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN HT "
        "JM KN KY LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI"
    ),
    Region.MIDDLE_EAST_NORTH_AFRICA: (
        "AE BH DJ DZ EG EH IL IQ IR JO KW LB LY MA OM PS QA SA SY TN YE"
    ),
    Region.NORTH_AMERICA: ("BM CA PM US"),
    Region.SOUTH_ASIA: ("AF BD BT IN IO LK MV NP PK"),
    Region.SUB_SAHARAN_AFRICA: (
        "AO BF BI BJ BW CD CF CG CI CM CV ER ET GA GH GM GN GQ GW KE KM LR LS MG ML MR MU MW "
        "MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TZ UG YT ZA ZM ZW"
    ),
}

REGION_OF_COUNTRY: dict[str, str] = {
    code: str(region) for region, codes in _MEMBERS.items() for code in codes.split()
}


def regions_of(country_codes) -> list[str]:
    """The regions of the given countries, in the order of ``Region``, without repeats."""
    found = {
        REGION_OF_COUNTRY[str(code)] for code in country_codes if str(code) in REGION_OF_COUNTRY
    }
    return [region.value for region in Region if region.value in found]
