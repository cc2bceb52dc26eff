"""Valid listing input, to be spoiled one field at a time by the tests."""

from app.listings import services


def provider(kind="airline", name=None, code=None):
    return services.create_provider(kind, name or f"Test {kind}", code)


def flight_input(**overrides):
    data = {
        "flight_number": "UA 1234",
        "origin": "SFO",
        "destination": "JFK",
        "departs_local": "2026-12-20T08:30",
        "arrives_local": "2026-12-20T17:05",
        "aircraft": "Boeing 787-9",
        "carry_on_bags": "1",
        "checked_bags": "1",
        "checked_bag_fee": "35.00",
        "refund_rule": "refundable_fee",
        "change_fee": "75.00",
        "cabins": {
            "economy": {"fare": "289.00", "seats_total": "180", "seats_available": "180"},
            "business": {"fare": "1450.00", "seats_total": "28"},
        },
    }
    data.update(overrides)
    return data


def hotel_input(**overrides):
    data = {
        "name": "Harbor View Hotel",
        "description": "Steps from the bay.",
        "address": "100 Embarcadero",
        "city": "San Francisco",
        "state": "CA",
        "zip_code": "94105",
        "latitude": "37.7936",
        "longitude": "-122.3930",
        "stars": "4",
        "amenities": ["wifi", "gym"],
        "check_in_time": "15:00",
        "check_out_time": "11:00",
        "cancellation_policy": "free_24h",
        "pets_allowed": "0",
        "breakfast": "available",
        "rooms": [
            {"name": "Standard King", "beds": "1 king bed", "capacity": "2",
             "room_count": "40", "price_per_night": "219.00"},
            {"name": "Double Queen", "beds": "2 queen beds", "capacity": "4",
             "room_count": "30", "price_per_night": "259.00"},
        ],
    }  # fmt: skip
    data.update(overrides)
    return data


def car_input(**overrides):
    data = {
        "car_type": "suv",
        "brand": "Toyota",
        "model": "RAV4",
        "year": "2025",
        "transmission": "automatic",
        "seats": "5",
        "doors": "4",
        "daily_price": "64.00",
        "pickup_airport": "SFO",
        "pickup_name": "SFO Rental Car Center",
        "pickup_address": "780 N McDonnell Rd",
        "pickup_city": "San Francisco",
        "pickup_state": "CA",
        "pickup_zip": "94128",
    }
    data.update(overrides)
    return data
