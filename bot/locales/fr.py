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
    "sub.admins_only": "Seuls les administrateurs du groupe peuvent modifier ses abonnements.",
    "sub.topic_added": "Vous recevrez les nouveaux articles {name}.",
    "sub.topic_already": "Vous suivez déjà {name}.",
    "sub.author_added": "Vous recevrez les nouveaux articles de {name}.",
    "sub.author_already": "Vous suivez déjà {name}.",
    "sub.choose_topic": "Choisissez les sujets à suivre\u00a0:",
    "sub.which_one": "Plusieurs correspondances. Lequel voulez-vous suivre\u202f?",
    "sub.new_topic_button": "Non, suivre #{name}",
    "sub.did_you_mean": "«\u202f{word}\u202f» ne correspond à aucun sujet ni auteur. Vouliez-vous dire\u00a0:",
    "sub.bad_name": "Ce nom ne peut pas servir de sujet. Essayez un mot comme <code>/subscribe Mali</code>.",
    "sub.new_topic_added": "Aucun article ne porte encore {name}, mais vous serez prévenu dès qu’un article paraîtra sur ce sujet.",
    "sub.confirm_all_button": "Oui, tout arrêter",
    "sub.confirm_all": "Arrêter tous les abonnements de cette conversation\u202f?",
    "sub.removed": "Vous ne suivez plus {name}.",
    "sub.not_following": "Vous ne suivez pas «\u202f{name}\u202f». /subscriptions montre vos abonnements.",
    "sub.none": "Aucun abonnement pour l’instant. Essayez <code>/subscribe Mali</code> ou /topics.",
    "sub.list": "Vos abonnements ({count})\u00a0:\n{lines}",
    "sub.all_removed": "C’est fait\u00a0: {count} abonnement(s) arrêté(s).",
    "sub.stale_button": "Ce bouton n’est plus valable. Recommencez avec /subscribe.",
    "sub.removed_short": "Vous ne suivez plus {name}",
    "sub.added_short": "Abonné à {name}",
    # --- editors (handlers/editor.py) ---
    # --- feeds (handlers/feeds.py) ---
    "feeds.error.bad_url": "l’adresse doit commencer par http:// ou https://",
    "feeds.error.timeout": "le site n’a pas répondu à temps",
    "feeds.error.network": "le site est injoignable",
    "feeds.error.http": "le site a répondu par l’erreur {status}",
    "feeds.error.redirects": "le site renvoie d’adresse en adresse sans fin",
    "feeds.error.too_big": "le flux dépasse {megabytes}\u00a0Mo",
    "feeds.error.encoding": "le site envoie le flux dans une compression inconnue",
    "feeds.error.not_feed": "cette page n’est pas un flux RSS ou Atom",
    "feeds.error.unsafe": "le flux contient des déclarations XML dangereuses, il est refusé",
    "feeds.error.internal": "erreur interne du bot, voir son journal",
    "feeds.error.file": "fichier introuvable ou illisible",
    "feeds.usage_add": (
        "Donnez l’adresse du flux, et si vous voulez l’intervalle en minutes\u00a0: "
        "<code>/addfeed https://exemple.ml/feed 10</code>"
    ),
    "feeds.usage_remove": "Donnez le numéro du flux à retirer\u00a0: <code>/removefeed 3</code>",
    "feeds.bad_interval": "L’intervalle doit être un nombre de minutes entre 1 et {max}.",
    "feeds.fetching": "⏳ Je lis le flux…",
    "feeds.added": (
        "✅ Flux n°\u00a0{id} ajouté\u00a0: {feed}\n"
        "{found} article(s) trouvé(s), dont {new} nouveau(x), importé(s) sans alerte. "
        "Je le relirai toutes les {minutes}\u00a0min."
    ),
    "feeds.add_failed": "❌ Je n’ai pas pu lire ce flux\u00a0: {error}. Rien n’a été ajouté.",
    "feeds.already": "Ce flux est déjà suivi\u00a0: n°\u00a0{id}, {feed}.",
    "feeds.removed": "🗑 Flux n°\u00a0{id} retiré\u00a0: {feed}. Ses articles restent en ligne.",
    "feeds.not_found": "Aucun flux n°\u00a0{id}. La liste\u00a0: /feeds",
    "feeds.unavailable": "La lecture des flux n’est pas active. Réessayez dans un moment.",
    "feeds.none": (
        "Aucun flux suivi. Ajoutez-en un avec <code>/addfeed https://exemple.ml/feed</code>"
    ),
    "feeds.list_title": "<b>Flux suivis ({count})</b>",
    "feeds.entry": "<b>n°\u00a0{id}</b> · {feed}\n{url}\nToutes les {minutes}\u00a0min · {state}",
    "feeds.state_ok": "✅ lu {last_success}, prochaine lecture {next_poll}",
    "feeds.state_new": "⏳ pas encore lu, première lecture {next_poll}",
    "feeds.state_failing": (
        "⚠️ {failures} échec(s) de suite, dernier succès\u00a0: {last_success}, "
        "nouvel essai {next_poll}\nErreur\u00a0: {error}"
    ),
    "feeds.soon": "d’un instant à l’autre",
    "feeds.never": "jamais",
    "feeds.notice_failing": (
        "⚠️ Le flux n°\u00a0{id} ({feed}) a échoué {failures} fois de suite\u00a0: {error}. "
        "J’essaie de nouveau de moins en moins souvent. État\u00a0: /feeds"
    ),
    "feeds.notice_recovered": "✅ Le flux n°\u00a0{id} ({feed}) fonctionne de nouveau.",
}
