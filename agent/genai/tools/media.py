"""``generate_image`` (Bedrock image model) and ``speak`` (Amazon Polly).

The model gets a short text result; the media itself goes to the client only, as a
markdown data URL appended to the tool's ``result`` (see genai.tools.attachments).
"""

from __future__ import annotations

import base64
import json
import os

from strands import ToolContext, tool

from genai import aws
from genai.tools.attachments import attach, data_url_markdown

IMAGE_MODEL_ID = "amazon.nova-canvas-v1:0"
IMAGE_MODEL_REGION = "us-east-1"
MAX_SPEECH_CHARS = 3000


def image_model() -> tuple[str, str]:
    """(model id, region) of the image model, from IMAGE_MODEL_ID / IMAGE_MODEL_REGION."""
    return (
        os.environ.get("IMAGE_MODEL_ID") or IMAGE_MODEL_ID,
        os.environ.get("IMAGE_MODEL_REGION") or IMAGE_MODEL_REGION,
    )


@tool(context=True)
def generate_image(
    prompt: str, tool_context: ToolContext, width: int = 512, height: int = 512
) -> str:
    """Generate an image from a text description; the user sees the image.

    Args:
        prompt: What the image should show (max 1024 characters).
        width: Width in pixels (320-1024, multiple of 64).
        height: Height in pixels (320-1024, multiple of 64).
    """
    model_id, region = image_model()
    size = [max(320, min(1024, int(v) // 64 * 64)) for v in (width, height)]
    request = {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": prompt[:1024]},
        "imageGenerationConfig": {"numberOfImages": 1, "width": size[0], "height": size[1]},
    }
    response = aws.client("bedrock-runtime", region, read_timeout=120).invoke_model(
        modelId=model_id, body=json.dumps(request),
        contentType="application/json", accept="application/json",
    )
    payload = json.loads(response["body"].read())
    if payload.get("error"):
        raise RuntimeError(f"image model refused: {payload['error']}")
    images = payload.get("images") or []
    if not images:
        raise RuntimeError("image model returned no image")
    png = base64.b64decode(images[0])
    attach(tool_context, data_url_markdown("image", "image/png", png, "generated image"))
    return f"Generated a {size[0]}x{size[1]} PNG image ({len(png)} bytes); it is shown to the user."


@tool(context=True)
def speak(text: str, tool_context: ToolContext, voice_id: str = "Joanna") -> str:
    """Turn text into speech (MP3) that the user can play.

    Args:
        text: What to say (max 3000 characters).
        voice_id: Amazon Polly voice, e.g. Joanna or Matthew.
    """
    response = aws.client("polly").synthesize_speech(
        Engine="neural", OutputFormat="mp3", Text=text[:MAX_SPEECH_CHARS], VoiceId=voice_id
    )
    audio = response["AudioStream"].read()
    attach(tool_context, data_url_markdown("audio", "audio/mpeg", audio, "speech (mp3)"))
    return f"Synthesised {len(audio)} bytes of MP3 speech (voice {voice_id}); the user can play it."
