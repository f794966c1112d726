"""French messages (the default). Typography: a no-break space (U+00A0) before « : »,
a narrow no-break space (U+202F) before « ; ? ! » and inside « ». Values may contain
Telegram HTML; {placeholders} are filled with already-escaped text."""

MESSAGES: dict[str, str] = {
    # --- common ---
    "alert_read_button": "Lire l’article",
    "editors_only": "Commande réservée à la rédaction.",
    "greeting": "Bonjour\u202f! Je suis le bot d’information du journal.",
    # --- site conventions (bot/site.py) ---
    "draft.empty": (
        "Le message est vide. Envoyez l’article en un seul message\u00a0: le titre "
        "<code>#Mali\u00a0: Titre de l’article</code>, la signature <code>Par Prénom NOM</code> "
        "(facultative), puis le texte."
    ),
    "draft.no_title": (
        "Il manque le titre. La première ligne doit ressembler à\u00a0: "
        "<code>#Mali\u00a0: Titre de l’article</code>"
    ),
    "draft.title_only_hashtags": (
        "Le titre est vide\u00a0: écrivez-le après {topics} et les deux-points, "
        "par exemple <code>#Mali\u00a0: Titre de l’article</code>"
    ),
    "draft.title_too_long": (
        "Le titre est trop long\u00a0: {length} caractères pour {limit} au maximum. "
        "Raccourcissez-le."
    ),
    "draft.no_text": (
        "Il manque le texte. Après le titre et la signature, écrivez au moins un paragraphe."
    ),
    "draft.lead_too_long": (
        "Le premier paragraphe est trop long\u00a0: {length} caractères pour {limit} au "
        "maximum. Séparez les paragraphes par une ligne vide."
    ),
    "draft.text_too_long": (
        "L’article est trop long\u00a0: {length} caractères pour {limit} au maximum."
    ),
    "draft.bad_link": (
        "Le lien «\u202f{url}\u202f» n’est pas valide\u00a0: il doit commencer par "
        "https:// (ou http://). Corrigez la ligne <code>Lien\u00a0:</code> ou "
        "<code>Photo\u00a0:</code>"
    ),
    # --- formatting (bot/formatting.py) ---
    "formatting.urgent": "🔴 ALERTE",
    "formatting.byline": "Par {author}",
    "formatting.newsroom": "La rédaction",
    "formatting.published": "Publié {date}",
    "formatting.updated": "✏️ Mis à jour\u00a0: {date}",
    "formatting.withdrawn": "Cet article a été retiré par la rédaction.",
    "formatting.read_on_site": "Lire l’article sur le site",
    # --- reading (handlers/reading.py) ---
    # --- subscriptions (handlers/subscriptions.py) ---
    # --- editors (handlers/editor.py) ---
    # --- feeds (handlers/feeds.py) ---
}
