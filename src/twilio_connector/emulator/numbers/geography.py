"""Where the emulator's phone numbers are: area codes to places (region, city, ZIP, lat/long).

A small, hand-written table (one well-known city per area code), enough for the search
filters Twilio documents (``InRegion``, ``InPostalCode``, ``InLocality``, ``NearNumber``,
``NearLatLong`` + ``Distance``) to behave plausibly. The emulator has no LATA or rate-center
data (``lata`` stays null, ``rate_center`` is the city). US and Canadian places carry a region
(state/province) and coordinates; UK places only a locality, as with Twilio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..._wire import CALLING_CODES

__all__ = ["NANP_TOLL_FREE", "PLACES", "Place", "distance_miles", "place_of"]


@dataclass(frozen=True)
class Place:
    country: str
    prefix: str  # area code (NANP) or UK dialling code, without the country code
    locality: str
    region: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def rate_center(self) -> str | None:
        return self.locality.upper() if self.region else None


def _nanp(country: str, rows: str) -> list[Place]:
    out = []
    for line in rows.strip().splitlines():
        code, region, postal, lat, lon, city = line.split(None, 5)
        out.append(Place(country, code, city, region, postal, float(lat), float(lon)))
    return out


_US = """
201 NJ 07302 40.72 -74.05 Jersey City
202 DC 20001 38.90 -77.04 Washington
203 CT 06510 41.31 -72.92 New Haven
205 AL 35203 33.52 -86.81 Birmingham
206 WA 98101 47.61 -122.33 Seattle
207 ME 04101 43.66 -70.26 Portland
208 ID 83702 43.62 -116.20 Boise
212 NY 10001 40.75 -73.99 New York
213 CA 90012 34.05 -118.24 Los Angeles
214 TX 75201 32.78 -96.80 Dallas
215 PA 19103 39.95 -75.17 Philadelphia
216 OH 44113 41.50 -81.69 Cleveland
301 MD 20814 38.98 -77.10 Bethesda
302 DE 19801 39.74 -75.55 Wilmington
303 CO 80202 39.74 -104.99 Denver
304 WV 25301 38.35 -81.63 Charleston
305 FL 33130 25.77 -80.19 Miami
307 WY 82001 41.14 -104.82 Cheyenne
312 IL 60601 41.88 -87.63 Chicago
313 MI 48226 42.33 -83.05 Detroit
314 MO 63101 38.63 -90.20 St. Louis
317 IN 46204 39.77 -86.16 Indianapolis
401 RI 02903 41.82 -71.41 Providence
402 NE 68102 41.26 -95.94 Omaha
404 GA 30303 33.75 -84.39 Atlanta
405 OK 73102 35.47 -97.52 Oklahoma City
406 MT 59601 46.59 -112.04 Helena
408 CA 95113 37.34 -121.89 San Jose
410 MD 21202 39.29 -76.61 Baltimore
412 PA 15222 40.44 -80.00 Pittsburgh
415 CA 94102 37.78 -122.42 San Francisco
501 AR 72201 34.75 -92.29 Little Rock
502 KY 40202 38.25 -85.76 Louisville
503 OR 97204 45.52 -122.68 Portland
504 LA 70112 29.95 -90.07 New Orleans
505 NM 87102 35.08 -106.65 Albuquerque
510 CA 94612 37.80 -122.27 Oakland
512 TX 78701 30.27 -97.74 Austin
515 IA 50309 41.59 -93.62 Des Moines
602 AZ 85004 33.45 -112.07 Phoenix
603 NH 03101 42.99 -71.46 Manchester
605 SD 57104 43.55 -96.73 Sioux Falls
608 WI 53703 43.07 -89.40 Madison
612 MN 55401 44.98 -93.27 Minneapolis
615 TN 37203 36.16 -86.78 Nashville
617 MA 02108 42.36 -71.06 Boston
619 CA 92101 32.72 -117.16 San Diego
646 NY 10011 40.74 -74.00 New York
650 CA 94301 37.44 -122.14 Palo Alto
701 ND 58102 46.88 -96.79 Fargo
702 NV 89101 36.17 -115.14 Las Vegas
704 NC 28202 35.23 -80.84 Charlotte
713 TX 77002 29.76 -95.37 Houston
718 NY 11201 40.69 -73.99 Brooklyn
801 UT 84101 40.76 -111.89 Salt Lake City
802 VT 05401 44.48 -73.21 Burlington
803 SC 29201 34.00 -81.03 Columbia
804 VA 23219 37.54 -77.44 Richmond
808 HI 96813 21.31 -157.86 Honolulu
907 AK 99501 61.22 -149.90 Anchorage
919 NC 27601 35.78 -78.64 Raleigh
"""
_CA = """
204 MB R3C 49.90 -97.14 Winnipeg
306 SK S7K 52.13 -106.67 Saskatoon
403 AB T2P 51.05 -114.07 Calgary
416 ON M5H 43.65 -79.38 Toronto
418 QC G1R 46.81 -71.21 Quebec City
506 NB E1C 46.09 -64.78 Moncton
514 QC H2Y 45.50 -73.57 Montreal
604 BC V6B 49.28 -123.12 Vancouver
613 ON K1P 45.42 -75.70 Ottawa
709 NL A1C 47.56 -52.71 St. John's
780 AB T5J 53.55 -113.49 Edmonton
867 YT Y1A 60.72 -135.06 Whitehorse
902 NS B3J 44.65 -63.57 Halifax
"""
_GB = (
    ("20", "London"), ("121", "Birmingham"), ("161", "Manchester"), ("131", "Edinburgh"),
    ("141", "Glasgow"), ("113", "Leeds"), ("117", "Bristol"), ("151", "Liverpool"),
)  # fmt: skip

PLACES: dict[str, tuple[Place, ...]] = {
    "US": tuple(_nanp("US", _US)),
    "CA": tuple(_nanp("CA", _CA)),
    "GB": tuple(Place("GB", code, city) for code, city in _GB),
}
NANP_TOLL_FREE = ("833", "844", "855", "866", "877", "888", "800")
_NANP_BY_CODE = {p.prefix: p for country in ("US", "CA") for p in PLACES[country]}
_NANP, _UK = CALLING_CODES["US"], CALLING_CODES["GB"]


def place_of(phone_number: str) -> Place | None:
    """The place of an E.164 number: its NANP area code or UK dialling code, if known."""
    if phone_number.startswith(_NANP) and len(phone_number) == 12:
        return _NANP_BY_CODE.get(phone_number[2:5])
    if phone_number.startswith(_UK):
        national = phone_number[len(_UK) :]
        for place in PLACES["GB"]:
            if national.startswith(place.prefix):
                return place
    return None


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, Earth radius 3958.8 miles)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(a))
