"""Name and phrase banks for `flask seed` (app/listings/seed.py).

Plain data, no logic. Airlines are real US and international carriers with
their IATA codes (a demo catalogue); hotel brands and rental companies are
invented but sound like the real thing. Airport codes are checked against
airportsdata when the generator loads them.
"""

from __future__ import annotations

# -- airports ------------------------------------------------------------------
# (IATA, weight ~ millions of yearly passengers, metro city, state) for the
# city a car is picked up in and the home airport of a traveler.
US_AIRPORTS = [
    ("ATL", 104, "Atlanta", "GA"), ("DFW", 81, "Dallas", "TX"), ("DEN", 78, "Denver", "CO"),
    ("ORD", 80, "Chicago", "IL"), ("LAX", 75, "Los Angeles", "CA"), ("JFK", 62, "New York", "NY"),
    ("LAS", 57, "Las Vegas", "NV"), ("MCO", 57, "Orlando", "FL"), ("MIA", 55, "Miami", "FL"),
    ("CLT", 53, "Charlotte", "NC"), ("SEA", 51, "Seattle", "WA"), ("PHX", 49, "Phoenix", "AZ"),
    ("EWR", 49, "Newark", "NJ"), ("SFO", 50, "San Francisco", "CA"), ("IAH", 46, "Houston", "TX"),
    ("BOS", 41, "Boston", "MA"), ("FLL", 35, "Fort Lauderdale", "FL"),
    ("MSP", 37, "Minneapolis", "MN"), ("LGA", 33, "New York", "NY"), ("DTW", 31, "Detroit", "MI"),
    ("PHL", 30, "Philadelphia", "PA"), ("SLC", 27, "Salt Lake City", "UT"),
    ("BWI", 27, "Baltimore", "MD"), ("DCA", 25, "Washington", "DC"), ("SAN", 25, "San Diego", "CA"),
    ("IAD", 25, "Washington", "DC"), ("TPA", 24, "Tampa", "FL"), ("BNA", 23, "Nashville", "TN"),
    ("AUS", 21, "Austin", "TX"), ("MDW", 22, "Chicago", "IL"), ("HNL", 21, "Honolulu", "HI"),
    ("DAL", 16, "Dallas", "TX"), ("PDX", 16, "Portland", "OR"), ("STL", 15, "St. Louis", "MO"),
    ("RDU", 14, "Raleigh", "NC"), ("HOU", 14, "Houston", "TX"), ("SMF", 13, "Sacramento", "CA"),
    ("MSY", 13, "New Orleans", "LA"), ("SJC", 11, "San Jose", "CA"),
    ("SNA", 11, "Santa Ana", "CA"), ("MCI", 11, "Kansas City", "MO"),
    ("OAK", 10, "Oakland", "CA"), ("SAT", 10, "San Antonio", "TX"),
    ("RSW", 10, "Fort Myers", "FL"), ("CLE", 10, "Cleveland", "OH"),
    ("IND", 10, "Indianapolis", "IN"), ("PIT", 10, "Pittsburgh", "PA"),
    ("CVG", 9, "Covington", "KY"), ("CMH", 9, "Columbus", "OH"), ("JAX", 7, "Jacksonville", "FL"),
    ("OGG", 7, "Kahului", "HI"), ("BDL", 7, "Windsor Locks", "CT"), ("ANC", 6, "Anchorage", "AK"),
    ("ABQ", 5, "Albuquerque", "NM"), ("OMA", 5, "Omaha", "NE"), ("BUR", 6, "Burbank", "CA"),
    ("ONT", 6, "Ontario", "CA"), ("MKE", 6, "Milwaukee", "WI"), ("RIC", 4, "Richmond", "VA"),
    ("BOI", 4, "Boise", "ID"), ("ELP", 4, "El Paso", "TX"), ("TUS", 4, "Tucson", "AZ"),
    ("OKC", 4, "Oklahoma City", "OK"), ("SDF", 4, "Louisville", "KY"),
    ("MEM", 4, "Memphis", "TN"), ("BUF", 5, "Buffalo", "NY"), ("CHS", 5, "Charleston", "SC"),
    ("SAV", 3, "Savannah", "GA"), ("PVD", 4, "Providence", "RI"),
]  # fmt: skip

# (IATA, weight): gateways the international carriers and US long-haul flights serve.
INTERNATIONAL_AIRPORTS = [
    ("LHR", 80), ("CDG", 67), ("FRA", 60), ("AMS", 61), ("MAD", 50), ("FCO", 40), ("DUB", 33),
    ("YYZ", 45), ("YVR", 26), ("YUL", 21), ("MEX", 48), ("CUN", 30), ("HND", 85), ("NRT", 33),
    ("ICN", 56), ("GRU", 41), ("BOG", 38), ("LIM", 24), ("NAS", 8), ("MBJ", 6), ("PUJ", 10),
    ("SJD", 8), ("GDL", 17), ("ZRH", 29), ("KEF", 8), ("LIS", 33), ("BCN", 52), ("MUC", 41),
    ("TPE", 35),
]  # fmt: skip

# -- aircraft ------------------------------------------------------------------
# name -> seats per cabin, in CABINS order (economy, premium economy, business, first).
AIRCRAFT = {
    "Embraer E175": {"economy": 64, "first": 12},
    "Bombardier CRJ900": {"economy": 70, "first": 6},
    "Airbus A220-300": {"economy": 118, "first": 12},
    "Airbus A319": {"economy": 112, "first": 16},
    "Airbus A320": {"economy": 138, "first": 12},
    "Airbus A320neo": {"economy": 186},
    "Airbus A321neo": {"economy": 160, "premium_economy": 20, "first": 20},
    "Airbus A321neo (all economy)": {"economy": 229},
    "Boeing 737-700": {"economy": 143},
    "Boeing 737-800": {"economy": 138, "premium_economy": 12, "first": 16},
    "Boeing 737-800 (all economy)": {"economy": 175},
    "Boeing 737 MAX 8": {"economy": 142, "premium_economy": 12, "first": 16},
    "Boeing 737 MAX 8 (all economy)": {"economy": 175},
    "Boeing 737-900ER": {"economy": 138, "premium_economy": 24, "first": 16},
    "Boeing 757-200": {"economy": 142, "premium_economy": 18, "first": 16},
    "Airbus A321 Mint": {"economy": 144, "business": 16},
    "Boeing 717-200": {"economy": 120, "first": 8},
    "Airbus A330-200": {"economy": 260, "business": 18},
    "Airbus A330-300": {"economy": 212, "premium_economy": 24, "business": 34},
    "Boeing 787-9": {"economy": 188, "premium_economy": 21, "business": 48},
    "Boeing 777-300ER": {"economy": 220, "premium_economy": 24, "business": 52, "first": 8},
    "Airbus A350-900": {"economy": 240, "premium_economy": 24, "business": 40},
}

# -- providers -----------------------------------------------------------------
# Airlines: code, name, model, hubs, quality (mean review rating), fare factor,
# share of the schedule, fleet by distance band (short < 1300 km, medium, long > 5000 km).
AIRLINES = [
    {"code": "AA", "name": "American Airlines", "model": "legacy", "quality": 3.6, "fare": 1.0,
     "share": 16, "hubs": ["DFW", "CLT", "ORD", "MIA", "PHX", "PHL", "LAX", "JFK", "DCA"],
     "short": ["Embraer E175", "Airbus A319", "Bombardier CRJ900"],
     "medium": ["Airbus A321neo", "Boeing 737-800", "Boeing 737 MAX 8"],
     "long": ["Boeing 787-9", "Boeing 777-300ER"]},
    {"code": "DL", "name": "Delta Air Lines", "model": "legacy", "quality": 4.1, "fare": 1.08,
     "share": 16, "hubs": ["ATL", "DTW", "MSP", "SLC", "SEA", "JFK", "LAX", "BOS", "LGA"],
     "short": ["Embraer E175", "Airbus A220-300", "Boeing 717-200"],
     "medium": ["Boeing 737-900ER", "Airbus A321neo", "Boeing 757-200"],
     "long": ["Airbus A350-900", "Airbus A330-300"]},
    {"code": "UA", "name": "United Airlines", "model": "legacy", "quality": 3.7, "fare": 1.03,
     "share": 15, "hubs": ["ORD", "DEN", "IAH", "EWR", "SFO", "IAD", "LAX"],
     "short": ["Embraer E175", "Airbus A320", "Bombardier CRJ900"],
     "medium": ["Boeing 737 MAX 8", "Boeing 737-900ER", "Boeing 757-200"],
     "long": ["Boeing 787-9", "Boeing 777-300ER"]},
    {"code": "WN", "name": "Southwest Airlines", "model": "low_cost", "quality": 4.0, "fare": 0.88,
     "share": 15, "hubs": ["MDW", "DAL", "HOU", "BWI", "LAS", "DEN", "PHX", "OAK", "BNA", "MCO",
                           "AUS", "STL"],
     "short": ["Boeing 737-700", "Boeing 737-800 (all economy)"],
     "medium": ["Boeing 737-800 (all economy)", "Boeing 737 MAX 8 (all economy)"], "long": []},
    {"code": "AS", "name": "Alaska Airlines", "model": "legacy", "quality": 4.2, "fare": 0.98,
     "share": 6, "hubs": ["SEA", "PDX", "SFO", "LAX", "ANC"],
     "short": ["Embraer E175"], "medium": ["Boeing 737-900ER", "Boeing 737 MAX 8"], "long": []},
    {"code": "B6", "name": "JetBlue", "model": "low_cost", "quality": 3.9, "fare": 0.93,
     "share": 6, "hubs": ["JFK", "BOS", "FLL", "MCO"],
     "short": ["Airbus A220-300", "Airbus A320neo"], "medium": ["Airbus A321 Mint",
                                                               "Airbus A320neo"], "long": []},
    {"code": "NK", "name": "Spirit Airlines", "model": "ultra_low_cost", "quality": 2.9,
     "fare": 0.62, "share": 5, "hubs": ["FLL", "LAS", "MCO", "DTW"],
     "short": ["Airbus A320neo"], "medium": ["Airbus A321neo (all economy)"], "long": []},
    {"code": "F9", "name": "Frontier Airlines", "model": "ultra_low_cost", "quality": 2.8,
     "fare": 0.6, "share": 5, "hubs": ["DEN", "LAS", "MCO", "PHL"],
     "short": ["Airbus A320neo"], "medium": ["Airbus A321neo (all economy)"], "long": []},
    {"code": "HA", "name": "Hawaiian Airlines", "model": "legacy", "quality": 4.1, "fare": 1.0,
     "share": 3, "hubs": ["HNL", "OGG"], "short": ["Boeing 717-200"],
     "medium": ["Airbus A321neo"], "long": ["Airbus A330-200"]},
    {"code": "SY", "name": "Sun Country Airlines", "model": "low_cost", "quality": 3.6,
     "fare": 0.8, "share": 2, "hubs": ["MSP"], "short": ["Boeing 737-800 (all economy)"],
     "medium": ["Boeing 737-800 (all economy)"], "long": []},
    {"code": "BA", "name": "British Airways", "model": "international", "quality": 3.9,
     "fare": 1.1, "share": 2, "hubs": ["LHR"], "short": [], "medium": [],
     "long": ["Boeing 777-300ER", "Airbus A350-900"]},
    {"code": "LH", "name": "Lufthansa", "model": "international", "quality": 4.0, "fare": 1.08,
     "share": 2, "hubs": ["FRA", "MUC"], "short": [], "medium": [],
     "long": ["Airbus A350-900", "Boeing 787-9"]},
    {"code": "AF", "name": "Air France", "model": "international", "quality": 4.0, "fare": 1.06,
     "share": 1.5, "hubs": ["CDG"], "short": [], "medium": [],
     "long": ["Boeing 777-300ER", "Airbus A350-900"]},
    {"code": "KL", "name": "KLM Royal Dutch Airlines", "model": "international", "quality": 4.1,
     "fare": 1.04, "share": 1.2, "hubs": ["AMS"], "short": [], "medium": [],
     "long": ["Boeing 787-9", "Airbus A330-300"]},
    {"code": "AC", "name": "Air Canada", "model": "international", "quality": 3.7, "fare": 1.0,
     "share": 2, "hubs": ["YYZ", "YVR", "YUL"], "short": [], "medium": ["Airbus A220-300",
                                                                         "Airbus A321neo"],
     "long": ["Boeing 787-9"]},
    {"code": "AM", "name": "Aeromexico", "model": "international", "quality": 3.8, "fare": 0.92,
     "share": 1.5, "hubs": ["MEX", "GDL"], "short": [],
     "medium": ["Boeing 737 MAX 8"], "long": ["Boeing 787-9"]},
    {"code": "JL", "name": "Japan Airlines", "model": "international", "quality": 4.4,
     "fare": 1.12, "share": 1, "hubs": ["HND", "NRT"], "short": [], "medium": [],
     "long": ["Boeing 787-9", "Airbus A350-900"]},
]  # fmt: skip

# Hotel brands: name, stars range, share, quality offset, name suffixes.
HOTEL_BRANDS = [
    {"name": "Budget Rest Motel", "stars": (1, 2), "share": 7, "quality": -0.25},
    {"name": "Roadside Inn", "stars": (1, 2), "share": 6, "quality": -0.15},
    {"name": "Parkway Inn & Suites", "stars": (2, 3), "share": 9, "quality": 0.0},
    {"name": "Comfort Stay Express", "stars": (2, 3), "share": 9, "quality": 0.05},
    {"name": "Lakeview Suites", "stars": (3, 3), "share": 7, "quality": 0.1},
    {"name": "Summit Garden Hotel", "stars": (3, 3), "share": 8, "quality": 0.1},
    {"name": "Beacon Hotel", "stars": (3, 4), "share": 7, "quality": 0.05},
    {"name": "Meridian Grand", "stars": (4, 4), "share": 5, "quality": 0.1},
    {"name": "Crestline Hotels & Resorts", "stars": (4, 5), "share": 4, "quality": 0.15},
    {"name": "Harbor & Pine", "stars": (4, 5), "share": 3, "quality": 0.2},
    {"name": "The Aurelian", "stars": (5, 5), "share": 1.5, "quality": 0.25},
]
HOTEL_AREAS = [
    "Downtown", "Airport", "Convention Center", "Midtown", "Riverside", "Uptown",
    "North", "South", "East", "West", "Medical Center", "University Area", "Old Town",
    "Waterfront", "Historic District", "Arena District", "Park Place", "City Center",
]  # fmt: skip
TOWN_AREAS = [
    "Downtown", "Airport", "North", "South", "East", "West", "Old Town", "Historic District",
    "Park Place", "Riverside", "Interstate",
]  # fmt: skip
INDEPENDENT_WORDS = [
    "Larkspur", "Magnolia", "Copperleaf", "Willow", "Cedar", "Bluebird", "Foundry", "Ironworks",
    "Sterling", "Juniper", "Harbor House", "Mill House", "Alder", "Saltwater", "Linden",
    "Wren", "Ambrose", "Hawthorne", "Marigold", "Birchwood", "Granary", "Canal House",
    "Palisade", "Verbena", "Tidewater", "Overlook", "Prospect", "Cardinal", "Kestrel",
    "Driftwood", "Lantern", "Fieldstone", "Riverbend", "Pemberton", "Ashford", "Whitmore",
]  # fmt: skip
INDEPENDENT_LAST = ["Hotel", "Inn", "Lodge", "House", "Suites", "Boutique Hotel", ""]

CAR_COMPANIES = [
    {"name": "Roadway Rent-A-Car", "code": "RW", "share": 20, "quality": 3.6, "price": 1.0},
    {"name": "Summit Car Rental", "code": "SM", "share": 18, "quality": 3.9, "price": 1.08},
    {"name": "Freeway Auto Rentals", "code": "FW", "share": 14, "quality": 3.3, "price": 0.86},
    {"name": "Bluebird Car Hire", "code": "BB", "share": 12, "quality": 4.1, "price": 1.12},
    {"name": "Keystone Rentals", "code": "KS", "share": 12, "quality": 3.7, "price": 0.95},
    {"name": "Coastline Car Rental", "code": "CL", "share": 10, "quality": 3.8, "price": 1.0},
    {"name": "Prestige Drive", "code": "PD", "share": 6, "quality": 4.3, "price": 1.3},
    {"name": "ThriftyWheels", "code": "TW", "share": 8, "quality": 3.1, "price": 0.8},
]

# type -> [(brand, model, seats, doors)]; daily price range in USD.
CAR_MODELS = {
    "economy": [("Mitsubishi", "Mirage", 5, 4), ("Chevrolet", "Spark", 4, 4),
                ("Kia", "Rio", 5, 4), ("Nissan", "Versa", 5, 4), ("Hyundai", "Accent", 5, 4)],
    "compact": [("Toyota", "Corolla", 5, 4), ("Honda", "Civic", 5, 4), ("Nissan", "Sentra", 5, 4),
                ("Hyundai", "Elantra", 5, 4), ("Kia", "Forte", 5, 4), ("Mazda", "Mazda3", 5, 4),
                ("Volkswagen", "Jetta", 5, 4)],
    "sedan": [("Toyota", "Camry", 5, 4), ("Honda", "Accord", 5, 4), ("Nissan", "Altima", 5, 4),
              ("Hyundai", "Sonata", 5, 4), ("Chevrolet", "Malibu", 5, 4), ("Kia", "K5", 5, 4),
              ("Volkswagen", "Passat", 5, 4)],
    "suv": [("Toyota", "RAV4", 5, 4), ("Honda", "CR-V", 5, 4), ("Ford", "Explorer", 7, 4),
            ("Chevrolet", "Equinox", 5, 4), ("Jeep", "Grand Cherokee", 5, 4),
            ("Nissan", "Rogue", 5, 4), ("Hyundai", "Tucson", 5, 4), ("Ford", "Escape", 5, 4),
            ("Chevrolet", "Tahoe", 8, 4), ("Kia", "Telluride", 8, 4), ("Subaru", "Outback", 5, 4)],
    "luxury": [("BMW", "5 Series", 5, 4), ("Mercedes-Benz", "E-Class", 5, 4), ("Audi", "A6", 5, 4),
               ("Cadillac", "CT5", 5, 4), ("Lexus", "ES 350", 5, 4), ("Tesla", "Model S", 5, 4),
               ("Genesis", "G80", 5, 4), ("Ford", "Mustang Convertible", 4, 2),
               ("Chevrolet", "Corvette", 2, 2)],
    "van": [("Chrysler", "Pacifica", 7, 4), ("Honda", "Odyssey", 8, 4), ("Toyota", "Sienna", 8, 4),
            ("Kia", "Carnival", 8, 4), ("Ford", "Transit Passenger Van", 12, 4),
            ("Mercedes-Benz", "Sprinter", 15, 4)],
}  # fmt: skip
CAR_PRICES = {
    "economy": (32, 52),
    "compact": (38, 58),
    "sedan": (45, 72),
    "suv": (58, 105),
    "luxury": (110, 240),
    "van": (78, 140),
}
CAR_TYPE_SHARE = {"economy": 15, "compact": 20, "sedan": 24, "suv": 26, "luxury": 7, "van": 8}

# -- places ------------------------------------------------------------------
# USPS ZIP prefixes (first three digits) per state, as (low, high) ranges.
ZIP3 = {
    "AL": [(350, 369)], "AK": [(995, 999)], "AZ": [(850, 865)], "AR": [(716, 729)],
    "CA": [(900, 961)], "CO": [(800, 816)], "CT": [(60, 69)], "DE": [(197, 199)],
    "DC": [(200, 205)], "FL": [(320, 349)], "GA": [(300, 319)], "HI": [(967, 968)],
    "ID": [(832, 838)], "IL": [(600, 629)], "IN": [(460, 479)], "IA": [(500, 528)],
    "KS": [(660, 679)], "KY": [(400, 427)], "LA": [(700, 714)], "ME": [(39, 49)],
    "MD": [(206, 219)], "MA": [(10, 27)], "MI": [(480, 499)], "MN": [(550, 567)],
    "MS": [(386, 397)], "MO": [(630, 658)], "MT": [(590, 599)], "NE": [(680, 693)],
    "NV": [(889, 898)], "NH": [(30, 38)], "NJ": [(70, 89)], "NM": [(870, 884)],
    "NY": [(100, 149)], "NC": [(270, 289)], "ND": [(580, 588)], "OH": [(430, 458)],
    "OK": [(730, 749)], "OR": [(970, 979)], "PA": [(150, 196)], "RI": [(28, 29)],
    "SC": [(290, 299)], "SD": [(570, 577)], "TN": [(370, 385)], "TX": [(750, 799)],
    "UT": [(840, 847)], "VT": [(50, 59)], "VA": [(220, 246)], "WA": [(980, 994)],
    "WV": [(247, 268)], "WI": [(530, 549)], "WY": [(820, 831)],
}  # fmt: skip
# Area codes in use, per state (E.164 phones are +1 area exchange line).
AREA_CODES = {
    "AL": [205, 251, 256, 334], "AK": [907], "AZ": [480, 520, 602, 623, 928],
    "AR": [479, 501, 870], "CA": [209, 213, 310, 408, 415, 510, 530, 559, 619, 626, 650, 714,
                                  760, 805, 818, 858, 909, 916, 925, 949],
    "CO": [303, 719, 720, 970], "CT": [203, 860], "DE": [302], "DC": [202],
    "FL": [239, 305, 321, 352, 386, 407, 561, 727, 754, 772, 786, 813, 850, 863, 904, 941, 954],
    "GA": [229, 404, 470, 478, 678, 706, 770, 912], "HI": [808], "ID": [208],
    "IL": [217, 224, 309, 312, 618, 630, 708, 773, 815, 847], "IN": [219, 260, 317, 574, 765, 812],
    "IA": [319, 515, 563, 641, 712], "KS": [316, 620, 785, 913], "KY": [270, 502, 606, 859],
    "LA": [225, 318, 337, 504, 985], "ME": [207], "MD": [240, 301, 410, 443],
    "MA": [339, 413, 508, 617, 774, 781, 857, 978], "MI": [231, 248, 269, 313, 517, 586, 616, 734,
                                                           810, 989],
    "MN": [218, 320, 507, 612, 651, 763, 952], "MS": [228, 601, 662], "MO": [314, 417, 573, 636,
                                                                            816],
    "MT": [406], "NE": [308, 402], "NV": [702, 725, 775], "NH": [603], "NJ": [201, 609, 732, 856,
                                                                            908, 973],
    "NM": [505, 575], "NY": [212, 315, 347, 516, 518, 585, 607, 631, 646, 716, 718, 845, 914,
                             917],
    "NC": [252, 336, 704, 828, 910, 919, 980], "ND": [701], "OH": [216, 330, 419, 440, 513, 614,
                                                                   740, 937],
    "OK": [405, 539, 918], "OR": [503, 541, 971], "PA": [215, 267, 412, 484, 570, 610, 717, 724,
                                                         814],
    "RI": [401], "SC": [803, 843, 864], "SD": [605], "TN": [423, 615, 629, 731, 865, 901],
    "TX": [210, 214, 254, 281, 325, 361, 409, 432, 469, 512, 713, 737, 806, 817, 830, 832, 903,
           915, 940, 956, 972],
    "UT": [385, 435, 801], "VT": [802], "VA": [276, 434, 540, 571, 703, 757, 804],
    "WA": [206, 253, 360, 425, 509], "WV": [304], "WI": [262, 414, 608, 715, 920], "WY": [307],
}  # fmt: skip
# Cities whose hotels charge well above what their size suggests.
EXPENSIVE_CITIES = {
    "New York City", "San Francisco", "Boston", "Honolulu", "Miami Beach", "Washington",
    "Los Angeles", "Seattle", "San Diego", "Chicago", "Miami", "Santa Barbara", "Napa",
    "Aspen", "Key West", "Nashville", "Austin", "Denver", "Charleston", "Savannah",
}  # fmt: skip
STREET_NAMES = [
    "Main", "Oak", "Maple", "Pine", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
    "Market", "Broad", "Church", "Jefferson", "Lincoln", "Madison", "Franklin", "Jackson",
    "Highland", "Center", "River", "Spring", "Sunset", "Meadow", "Walnut", "Chestnut",
    "Willow", "Ridge", "Forest", "Grand", "Union", "Commerce", "Front", "Water", "Mill",
    "College", "Mission", "Harbor", "Valley", "Prospect", "Liberty", "Cherry", "Laurel",
    "Magnolia", "Peachtree", "Colonial", "Kingston", "Fairview", "Cypress", "Hickory",
]  # fmt: skip
STREET_SUFFIXES = ["St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Pkwy", "Ct", "Pl"]
ORDINAL_STREETS = ["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "12th"]

# -- people --------------------------------------------------------------------
FIRST_NAMES = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Christopher", "Karen", "Charles", "Lisa", "Daniel", "Nancy", "Matthew", "Betty",
    "Anthony", "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew",
    "Emily", "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda",
    "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca",
    "Jason", "Sharon", "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Dorothy", "Jacob",
    "Amy", "Gary", "Kathleen", "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Emma",
    "Stephen", "Brenda", "Larry", "Pamela", "Justin", "Nicole", "Scott", "Anna", "Brandon",
    "Samantha", "Benjamin", "Katherine", "Samuel", "Christine", "Gregory", "Debra", "Alexander",
    "Rachel", "Patrick", "Carolyn", "Frank", "Janet", "Raymond", "Maria", "Jack", "Olivia",
    "Dennis", "Heather", "Jerry", "Helen", "Tyler", "Catherine", "Aaron", "Diane", "Jose",
    "Julie", "Adam", "Victoria", "Nathan", "Joyce", "Henry", "Lauren", "Zachary", "Kelly",
    "Douglas", "Christina", "Peter", "Ruth", "Kyle", "Joan", "Noah", "Virginia", "Ethan",
    "Judith", "Jeremy", "Evelyn", "Christian", "Hannah", "Walter", "Andrea", "Keith", "Megan",
    "Austin", "Cheryl", "Roger", "Jacqueline", "Terry", "Madison", "Sean", "Teresa", "Gerald",
    "Abigail", "Carl", "Sophia", "Dylan", "Martha", "Harold", "Sara", "Jordan", "Gloria",
    "Jesse", "Janice", "Bryan", "Kathryn", "Lawrence", "Ann", "Arthur", "Isabella", "Gabriel",
    "Judy", "Bruce", "Charlotte", "Logan", "Julia", "Billy", "Grace", "Joe", "Amber", "Alan",
    "Alice", "Juan", "Jean", "Elijah", "Denise", "Willie", "Frances", "Albert", "Danielle",
    "Wayne", "Marilyn", "Randy", "Natalie", "Mason", "Beverly", "Vincent", "Diana", "Liam",
    "Brittany", "Roy", "Theresa", "Bobby", "Kayla", "Caleb", "Alexis", "Bradley", "Doris",
    "Russell", "Lori", "Lucas", "Tiffany", "Mateo", "Priya", "Wei", "Aisha", "Carlos", "Mei",
    "Luis", "Fatima", "Hiroshi", "Sofia", "Omar", "Ines", "Dmitri", "Leila", "Kwame", "Ana",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
    "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler",
    "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan",
    "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno",
    "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar",
    "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez",
    "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman",
    "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter",
    "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks",
    "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar",
    "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson",
    "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn",
    "Kowalski", "Yamamoto", "Singh", "O'Brien", "Novak", "Okafor", "Larsen", "Rossi", "Cohen",
    "Wang", "Zhang", "Liu", "Sato", "Park", "Choi", "Khan", "Ali", "Haddad", "Schneider",
]  # fmt: skip

# -- reviews -------------------------------------------------------------------
# Phrase banks by listing kind and mood (good: 4-5, mixed: 3, bad: 1-2). A text
# takes one opener, two or three details and one closer; {city}, {airline},
# {company} and {car} are filled in from the listing.
REVIEW_TITLES = {
    "good": [
        "Would stay again", "Exceeded expectations", "Great value", "Everything went smoothly",
        "Highly recommend", "Just what we needed", "Excellent experience", "Really pleasant",
        "A great start to the trip", "Five stars from me", "No complaints", "Better than expected",
    ],
    "mixed": [
        "Fine for the price", "Decent but not special", "Some ups and downs", "Okay overall",
        "Does the job", "Average experience", "Good and bad", "Could be better",
    ],
    "bad": [
        "Disappointing", "Would not book again", "Not as advertised", "Frustrating experience",
        "Needs improvement", "Avoid if you can", "Not worth the money", "Poor service",
    ],
}  # fmt: skip
REVIEW_PHRASES = {
    "hotel": {
        "good": {
            "open": [
                "We stayed three nights for a family wedding in {city} and loved it.",
                "Booked this for a work trip to {city} and it was a great choice.",
                "Our weekend in {city} was made better by this hotel.",
                "Stayed here twice now and it keeps getting better.",
            ],
            "detail": [
                "The room was spotless and the bed was really comfortable.",
                "Front desk staff were friendly and let us check in early.",
                "The location is perfect, walking distance to restaurants and shops.",
                "Breakfast had plenty of choice and fresh coffee.",
                "The room was quiet even though we faced the street.",
                "Wi-Fi was fast enough for video calls.",
                "Housekeeping was thorough and the towels were always fresh.",
                "The pool area was clean and never crowded.",
            ],
            "close": [
                "We will definitely be back.", "Great value for {city}.",
                "Would recommend to friends.", "Already planning our next stay.",
            ],
        },
        "mixed": {
            "open": [
                "Decent place for a short stay in {city}.",
                "The hotel was fine, nothing more.",
                "Good location, but a few things could be better.",
            ],
            "detail": [
                "The room was clean but looked a bit dated.",
                "Check-in took longer than it should have.",
                "The walls are thin and we could hear the hallway.",
                "Breakfast was basic but it did the job.",
                "Parking was expensive for what you get.",
                "Staff were polite, if not especially helpful.",
                "The air conditioning was noisy at night.",
            ],
            "close": [
                "Fine if the price is right.", "Okay for one night.",
                "I might stay again, but I'd look around first.",
            ],
        },
        "bad": {
            "open": [
                "I really wanted to like this place, but it let us down.",
                "Our stay in {city} started badly and did not improve.",
                "This hotel does not match its photos.",
            ],
            "detail": [
                "The room smelled of smoke and the carpet was stained.",
                "Our reservation was lost and it took an hour to sort out.",
                "The shower barely had any pressure and the water was lukewarm.",
                "Nobody answered the phone at the front desk.",
                "We were charged for parking that was supposed to be included.",
                "The elevator was out of order for our whole stay.",
                "Noise from the bar kept us up past midnight.",
            ],
            "close": [
                "I would not stay here again.", "Look elsewhere in {city}.",
                "Management needs to step up.",
            ],
        },
    },
    "flight": {
        "good": {
            "open": [
                "Smooth flight with {airline} from start to finish.",
                "Flew this route for a family visit and it was easy.",
                "One of the better flights I've taken with {airline}.",
            ],
            "detail": [
                "Boarding was organized and we left right on time.",
                "The crew were friendly and came through the cabin often.",
                "Seats had decent legroom and the entertainment worked well.",
                "We landed twenty minutes early.",
                "Bags came out quickly at the carousel.",
                "The app kept us updated on the gate and the boarding time.",
                "Snacks and drinks were better than I expected.",
            ],
            "close": [
                "Would fly {airline} again.", "Great value for the fare.",
                "Easy choice for this route.",
            ],
        },
        "mixed": {
            "open": [
                "An average flight with {airline}.", "Got us there, which is what counts.",
                "Nothing special about this flight.",
            ],
            "detail": [
                "We left about forty minutes late but made some of it up.",
                "The seat was cramped for a flight this long.",
                "Crew were fine but a little rushed.",
                "Wi-Fi was slow and kept dropping.",
                "Boarding was chaotic at the gate.",
                "Overhead bin space ran out before my group boarded.",
            ],
            "close": [
                "Fine for the price.", "I'd fly it again if the fare was right.",
                "It's okay, no more.",
            ],
        },
        "bad": {
            "open": [
                "A rough day of travel with {airline}.",
                "This flight was a mess.", "I regret booking this flight.",
            ],
            "detail": [
                "We sat on the tarmac for two hours with no updates.",
                "My checked bag arrived a day late.",
                "The flight was cancelled and the rebooking line took hours.",
                "The seat would not recline and the tray table was broken.",
                "Gate staff were unhelpful when the connection was missed.",
                "Fees for everything added up to more than the fare.",
            ],
            "close": [
                "I'll choose another airline next time.", "Not worth the savings.",
                "{airline} has a lot to fix.",
            ],
        },
    },
    "car": {
        "good": {
            "open": [
                "Rented the {car} for a week in {city} and it was great.",
                "Easy rental from {company}.", "Picked up the {car} and was on the road fast.",
            ],
            "detail": [
                "There was no line at the counter and the agent was quick.",
                "The car was clean, nearly new and fuel-efficient.",
                "Return took five minutes and the receipt was emailed right away.",
                "No pressure to buy extra insurance.",
                "The car had Apple CarPlay, which made navigation easy.",
                "Plenty of room for our luggage.",
            ],
            "close": [
                "Will rent from {company} again.", "Great price for {city}.",
                "Highly recommended.",
            ],
        },
        "mixed": {
            "open": [
                "The rental was okay overall.", "Got the {car}, mostly as promised.",
                "An average rental in {city}.",
            ],
            "detail": [
                "The line at the counter took about thirty minutes.",
                "The car had a few scratches we had to point out.",
                "They pushed the insurance upgrade harder than I liked.",
                "The interior could have been cleaner.",
                "The shuttle to the lot was slow.",
            ],
            "close": [
                "Fine, but I'd compare prices next time.", "It did the job.",
                "Nothing to complain about really, nothing to praise.",
            ],
        },
        "bad": {
            "open": [
                "Terrible experience with {company}.", "Avoid this location if you can.",
                "The rental ruined the first day of our trip.",
            ],
            "detail": [
                "Our reservation was not honored and we got a smaller car.",
                "We waited over an hour at the counter.",
                "The car had a warning light on and smelled of smoke.",
                "We were charged for damage that was already there.",
                "Hidden fees doubled the quoted price.",
            ],
            "close": [
                "Never again.", "Book with someone else.", "{company} needs to do better.",
            ],
        },
    },
}  # fmt: skip
HOTEL_DESCRIPTIONS = [
    "A {stars}-star hotel {place}, close to dining, shopping and the sights.",
    "Comfortable rooms {place}, with {amenity} and easy access to the highway.",
    "A modern {stars}-star stay {place} with friendly service and {amenity}.",
    "A relaxed base for business and leisure travelers {place}, featuring {amenity}.",
    "Recently renovated rooms {place}; {amenity} and helpful staff.",
]
AREA_PLACES = {
    "Downtown": "in downtown {city}", "Airport": "near the {city} airport",
    "Convention Center": "steps from the {city} convention center",
    "Midtown": "in Midtown {city}", "Riverside": "by the river in {city}",
    "Uptown": "in Uptown {city}", "North": "in north {city}", "South": "in south {city}",
    "East": "on the east side of {city}", "West": "on the west side of {city}",
    "Medical Center": "near the medical center in {city}",
    "University Area": "near the university in {city}", "Old Town": "in {city}'s Old Town",
    "Waterfront": "on the {city} waterfront", "Historic District": "in {city}'s historic district",
    "Arena District": "in {city}'s arena district", "Park Place": "across from a park in {city}",
    "City Center": "in the heart of {city}", "Interstate": "just off the interstate in {city}",
}  # fmt: skip
AMENITY_PHRASES = {
    "wifi": "free Wi-Fi", "parking": "on-site parking", "pool": "a pool",
    "gym": "a fitness center", "spa": "a full-service spa", "restaurant": "an on-site restaurant",
    "bar": "a lobby bar", "airport_shuttle": "a free airport shuttle",
    "ev_charging": "EV charging", "business_center": "a business center",
    "room_service": "room service", "laundry": "guest laundry",
    "accessible": "accessible rooms", "kitchenette": "kitchenettes in every room",
}  # fmt: skip
