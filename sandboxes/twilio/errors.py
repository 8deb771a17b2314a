"""Twilio's error answers, `{"code", "message", "more_info", "status"}`, and the codes the sandbox uses
(each with the title of its page at twilio.com/docs/api/errors/<code>; see docs/reference/twilio.md)."""

from __future__ import annotations

from sandboxes.kit.web import Response, json_response

# Error titles, used for a failed message's error_message and ErrorMessage.
TITLES = {
    20003: "Authenticate",
    20004: "Method not allowed",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number",
    21603: "A 'From' phone number is required",
    21604: "A 'To' phone number is required",
    21609: "Invalid StatusCallback url",
    21617: "The concatenated message body exceeds the 1600 character limit",
    21619: "A text message body or media urls must be specified",
    21620: "Invalid media URL(s)",
    21654: "ContentSid Required",
    21655: "The ContentSid is Invalid",
    21656: "The ContentVariables Parameter is invalid",
    21705: "The Messaging Service Sid is invalid",
    21910: "Invalid From and To pair. From and To should be of the same channel",
    63003: "Channel could not find To address",
    63007: "Twilio could not find a Channel with the specified From address",
    63016: "Failed to send freeform message because you are outside the allowed window. Please use a Template.",
    63019: "Media failed to download",
    63021: "Channel invalid content error",
    63024: "Invalid message recipient",
    63032: "User's number is part of an experiment",
}


def more_info(code: int) -> str:
    return f"https://www.twilio.com/docs/errors/{code}"


class TwilioError(Exception):
    """An error answer of the REST API."""

    def __init__(self, status: int, code: int, message: str | None = None) -> None:
        super().__init__(message or TITLES.get(code, "Error"))
        self.status, self.code, self.message = status, code, message or TITLES.get(code, "Error")

    def response(self, headers: tuple[tuple[str, str], ...] = ()) -> Response:
        document = {
            "code": self.code,
            "message": self.message,
            "more_info": more_info(self.code),
            "status": self.status,
        }
        return json_response(document, self.status, headers=headers)


def invalid(code: int, detail: str | None = None) -> TwilioError:
    """A 400 for a parameter Twilio refuses; `detail` is appended as Twilio does (`…: whatsapp:+1`)."""
    title = TITLES[code]
    return TwilioError(400, code, f"{title}: {detail}" if detail else title)
