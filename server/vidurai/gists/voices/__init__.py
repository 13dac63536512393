"""One module per built-in audience; each has ``tell(event) -> str``. A configured audience
without a voice gets the memory's own words."""

from vidurai.gists.voices import ai, developer, manager, personal

VOICES = {
    "developer": developer.tell,
    "ai": ai.tell,
    "manager": manager.tell,
    "personal": personal.tell,
}
