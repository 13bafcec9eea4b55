"""Faker providers for the things Rimo's events talk about.

Offerings, medications with plausible strengths, clinicians, and carrier tracking
numbers in each carrier's real shape, check digit included, so that integrators'
validators (and their eyes) see realistic data.
"""

from __future__ import annotations

from typing import Final

from faker.providers import BaseProvider

# Offering name, and the medications (name, strengths) a prescription of it may carry.
OFFERINGS: Final[dict[str, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    "TRT Protocol": (
        ("Testosterone Cypionate", ("200mg/mL", "100mg/mL")),
        ("Anastrozole", ("0.5mg", "1mg")),
        ("hCG", ("5000 IU/vial", "10000 IU/vial")),
    ),
    "GLP-1 Weight Management": (
        ("Semaglutide", ("0.25mg/0.5mL", "0.5mg/0.5mL", "1mg/0.5mL", "2.4mg/0.75mL")),
        ("Tirzepatide", ("2.5mg/0.5mL", "5mg/0.5mL", "7.5mg/0.5mL")),
        ("Ondansetron", ("4mg",)),
    ),
    "Enclomiphene Protocol": (("Enclomiphene Citrate", ("12.5mg", "25mg")),),
    "Sermorelin Therapy": (("Sermorelin Acetate", ("9mg/vial", "15mg/vial")),),
    "NAD+ Injections": (("NAD+", ("200mg/mL", "100mg/mL")),),
    "Erectile Health": (
        ("Sildenafil", ("20mg", "50mg", "100mg")),
        ("Tadalafil", ("5mg", "10mg", "20mg")),
    ),
    "Hair Restoration": (
        ("Finasteride", ("1mg",)),
        ("Minoxidil", ("2.5mg", "5mg")),
    ),
}
# Typical cash prices in cents per order of each offering.
PRICES_IN_CENTS: Final = (4999, 7900, 9999, 14999, 19900, 24999, 29900, 34900)
CARRIERS: Final = ("UPS", "USPS", "FedEx")
UPS_SERVICE_CODES: Final = ("01", "02", "03", "12", "13")
_UPS_SHIPPER_ALPHABET: Final = "ABCDEFGHJKLMNPRSTVWXYZ0123456789"


def ups_check_digit(body: str) -> int:
    """Check digit of a UPS 1Z number over the 15 characters after ``1Z``.

    Letters count as (position in the alphabet + 2) mod 10; characters in even
    positions count twice. The published example 1Z999AA10123456784 ends in 4.
    """
    total = 0
    for position, char in enumerate(body, start=1):
        value = int(char) if char.isdigit() else (ord(char) - ord("A") + 2) % 10
        total += value * 2 if position % 2 == 0 else value
    return (10 - total % 10) % 10


def mod10_check_digit(digits: str) -> int:
    """GS1-style mod 10 (USPS Intelligent Mail package barcodes): from the right, every
    other digit weighs 3, the rest 1."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def fedex_check_digit(digits: str) -> int:
    """FedEx Express 12-digit numbers: weights 1, 3, 7 repeating from the right, mod 11,
    with 10 counting as 0."""
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(digits)))
    return total % 11 % 10


class RimoProvider(BaseProvider):
    """Adds ``offering``, ``medication_lines``, ``clinician`` and ``tracking_number``."""

    def offering(self) -> str:
        return str(self.random_element(tuple(OFFERINGS)))

    def medication_lines(self, offering: str) -> list[dict[str, object]]:
        """One to all of the offering's medications, each with a strength and a quantity."""
        choices = OFFERINGS[offering]
        count = self.random_int(1, len(choices))
        picked = self.random_sample(choices, length=count)
        return [
            {
                "name": name,
                "dosage": self.random_element(strengths),
                "quantity": self.random_int(1, 3),
            }
            for name, strengths in picked
        ]

    def price_in_cents(self) -> int:
        return int(self.random_element(PRICES_IN_CENTS))

    def carrier(self) -> str:
        return str(self.random_element(CARRIERS))

    def tracking_number(self, carrier: str) -> str:
        if carrier == "UPS":
            shipper = "".join(self.random_choices(_UPS_SHIPPER_ALPHABET, length=6))
            body = shipper + self.random_element(UPS_SERVICE_CODES) + self.numerify("#######")
            return f"1Z{body}{ups_check_digit(body)}"
        if carrier == "USPS":
            body = "9400" + self.numerify("1" + "#" * 16)
            return f"{body}{mod10_check_digit(body)}"
        if carrier == "FedEx":
            body = self.numerify("%##########")
            return f"{body}{fedex_check_digit(body)}"
        raise ValueError(f"no tracking number format for carrier {carrier!r}")
