"""ISO 639-1 language codes of the documents IMGs bring, with their English names.

Documents store a code (``es``); messages and the UI say "Spanish". Pure data, so the rules engine can name
the language without any locale machinery, and the same words appear in the GUI, the CLI and the packet.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

LANGUAGES: Mapping[str, str] = MappingProxyType(
    {
        "en": "English",
        "es": "Spanish",
        "pt": "Portuguese",
        "fr": "French",
        "ar": "Arabic",
        "ru": "Russian",
        "zh": "Chinese",
        "hi": "Hindi",
        "ur": "Urdu",
        "fa": "Persian",
        "tr": "Turkish",
        "bn": "Bengali",
        "pa": "Punjabi",
        "gu": "Gujarati",
        "mr": "Marathi",
        "ta": "Tamil",
        "te": "Telugu",
        "kn": "Kannada",
        "ml": "Malayalam",
        "ne": "Nepali",
        "si": "Sinhala",
        "ps": "Pashto",
        "de": "German",
        "it": "Italian",
        "nl": "Dutch",
        "pl": "Polish",
        "ro": "Romanian",
        "uk": "Ukrainian",
        "be": "Belarusian",
        "bg": "Bulgarian",
        "sr": "Serbian",
        "hr": "Croatian",
        "bs": "Bosnian",
        "sq": "Albanian",
        "mk": "Macedonian",
        "el": "Greek",
        "hu": "Hungarian",
        "cs": "Czech",
        "sk": "Slovak",
        "sl": "Slovenian",
        "lt": "Lithuanian",
        "lv": "Latvian",
        "et": "Estonian",
        "ka": "Georgian",
        "hy": "Armenian",
        "az": "Azerbaijani",
        "kk": "Kazakh",
        "ky": "Kyrgyz",
        "uz": "Uzbek",
        "tg": "Tajik",
        "tk": "Turkmen",
        "mn": "Mongolian",
        "he": "Hebrew",
        "ku": "Kurdish",
        "am": "Amharic",
        "so": "Somali",
        "sw": "Swahili",
        "ha": "Hausa",
        "yo": "Yoruba",
        "ig": "Igbo",
        "ja": "Japanese",
        "ko": "Korean",
        "vi": "Vietnamese",
        "th": "Thai",
        "my": "Burmese",
        "km": "Khmer",
        "lo": "Lao",
        "id": "Indonesian",
        "ms": "Malay",
        "tl": "Tagalog",
        "sv": "Swedish",
        "da": "Danish",
        "nb": "Norwegian Bokmål",
        "no": "Norwegian",
        "fi": "Finnish",
    }
)
"""English name of each code, most common languages of IMGs' documents first."""


def base_code(code: str) -> str:
    """``"es-MX"``, ``"ES"`` or ``" pt_BR "`` -> the two-letter code (``es``, ``pt``)."""
    return code.strip().replace("_", "-").split("-", 1)[0].lower()


def language_name(code: str) -> str:
    """English name for a code (``"es"`` -> ``"Spanish"``); an unknown code comes back as given, upper-cased,
    so a message still says something true ("a document in XX")."""
    return LANGUAGES.get(base_code(code)) or code.strip().upper()


def is_known_language(code: str) -> bool:
    return base_code(code) in LANGUAGES


def is_english(code: str) -> bool:
    """``en``, ``EN`` and ``en-US`` are all English."""
    return base_code(code) == "en"
