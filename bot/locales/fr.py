"""French messages (the default). Typography: a no-break space (U+00A0) before « : »,
a narrow no-break space (U+202F) before « ; ? ! » and inside « ». Values may contain
Telegram HTML; {placeholders} are filled with already-escaped text."""

MESSAGES: dict[str, str] = {
    # --- common ---
    "error.database_busy": "La base de données est occupée et rien n’a été modifié. Réessayez dans un instant.",
    "too_fast": "Doucement\u202f! Vous envoyez des messages trop vite\u00a0; je reprends dans quelques secondes.",
    "error.unexpected": "Désolé, quelque chose s’est mal passé de notre côté. Réessayez dans un instant.",
    "error.name_too_long": "Ce nom est trop long pour une recherche. Tapez un ou deux mots du sujet ou de l’auteur.",
    "alert_read_button": "Lire l’article",
    "editors_only": "Commande réservée à la rédaction.",
    "editor_private_only": "Cette commande de la rédaction ne s’utilise qu’en privé\u00a0: envoyez-la-moi dans notre conversation privée, pas dans un groupe ni dans un canal.",
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
    "draft.bad_schedule": (
        "Je ne lis pas la date de la ligne <code>Parution\u00a0:</code> («\u202f{value}\u202f»). "
        "Écrivez-la <code>Parution\u00a0: 02/12/2026 07:00</code>."
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
    "reading.welcome": (
        "👋 <b>Bienvenue\u202f!</b>\n"
        "Je vous apporte l’actualité {of_site} ici même\u00a0: les derniers articles, ceux "
        "d’un sujet ou d’un auteur, et une alerte dès qu’un article qui vous intéresse paraît.\n\n"
        "/derniers — les derniers articles\n"
        "/rubriques — les sujets, pour vous abonner\n"
        "/auteur <i>nom</i> — les articles d’un auteur\n"
        "/recherche <i>mots</i> — chercher un article\n"
        "/aide — toutes les commandes"
    ),
    "reading.welcome.inline": (
        "Pour partager un article dans une autre conversation, tapez-y "
        "<code>@{bot} mots</code> et choisissez-le."
    ),
    "reading.nothing_to_cancel": "Rien à annuler.",
    "bot.site": "du journal",
    "bot.description": (
        "L’actualité {of_site} sur Telegram\u00a0: les derniers articles, ceux d’un sujet ou "
        "d’un auteur, la recherche, et une alerte dès qu’un article qui vous intéresse paraît."
    ),
    "bot.short_description": "L’actualité {of_site}, et une alerte dès qu’un article qui vous intéresse paraît.",
    "reading.start.gone": "Ce lien ne mène plus à rien\u00a0: l’article a peut-être été retiré.",
    "reading.help.header": "❓ <b>Les commandes</b>",
    "reading.help.plain_text": (
        "Vous pouvez aussi m’écrire simplement quelques mots\u00a0: je cherche les articles "
        "qui en parlent."
    ),
    "reading.help.inline": (
        "Dans n’importe quelle conversation, tapez <code>@{bot} mots</code> pour choisir un "
        "article et le partager."
    ),
    "reading.help.english": "In English: /language en",
    "reading.help.editors": "🛠 <b>Rédaction</b>",
    "reading.unknown_command": "Je ne connais pas cette commande. /aide donne la liste.",
    "reading.command.latest": "Les derniers articles",
    "reading.command.article": "Lire un article en entier",
    "reading.command.search": "Chercher dans les articles",
    "reading.command.author": "Les articles d’un auteur",
    "reading.command.authors": "Tous les auteurs",
    "reading.command.topics": "Les sujets, pour vous abonner",
    "reading.command.subscribe": "S’abonner à un sujet ou à un auteur",
    "reading.command.unsubscribe": "Arrêter un abonnement",
    "reading.command.subscriptions": "Vos abonnements",
    "reading.command.help": "Aide et liste des commandes",
    "reading.command.language": "Choisir la langue (français ou anglais)",
    "reading.command.publish": "Publier un article",
    "reading.command.edit": "Corriger un article",
    "reading.command.unpublish": "Retirer un article",
    "reading.command.stats": "Statistiques des envois",
    "reading.command.feeds": "Les flux RSS suivis",
    "reading.command.addfeed": "Ajouter un flux RSS",
    "reading.command.removefeed": "Retirer un flux RSS",
    "reading.command.scheduled": "Les articles programmés",
    "reading.args.latest": "[nombre] [sujet]",
    "reading.args.article": "numéro dans la liste",
    "reading.args.search": "mots",
    "reading.args.author": "nom",
    "reading.args.subscribe": "sujet ou auteur",
    "reading.args.unsubscribe": "sujet ou auteur",
    "reading.args.language": "fr ou en",
    "reading.button.subscribed": "✅ {name}",
    "reading.button.subscribe_topic": "➕ {name}",
    "reading.button.follow_author": "➕ Suivre {name}",
    "reading.button.newer": "‹ Plus récents",
    "reading.button.older": "Plus anciens ›",
    "reading.button.previous": "‹ Précédents",
    "reading.button.next": "Suivants ›",
    "reading.count.one": "{count} article",
    "reading.count.many": "{count} articles",
    "reading.latest.header": "📰 <b>Les dernières nouvelles</b>",
    "reading.latest.empty": "Aucun article publié pour l’instant.",
    "reading.latest.at_most.one": "J’en montre au plus {count} à la fois.",
    "reading.latest.at_most.many": "J’en montre au plus {count} à la fois.",
    "reading.topic.header": "📰 <b>Les derniers articles {topic}</b>",
    "reading.topic.empty": "Aucun article {topic} pour l’instant.",
    "reading.topic.choose": "Plusieurs sujets correspondent à «\u202f{query}\u202f»\u00a0:",
    "reading.topic.unknown_close": "Aucun sujet «\u202f{query}\u202f». Vouliez-vous dire\u00a0:",
    "reading.topic.unknown": "Aucun sujet «\u202f{query}\u202f». /rubriques donne la liste des sujets.",
    "reading.author.header": "✍️ <b>Les articles {de_name}</b>\n{articles}",
    "reading.author.empty": "{name} n’a aucun article publié pour l’instant.",
    "reading.author.choose": "Plusieurs auteurs correspondent à «\u202f{query}\u202f». Lequel\u202f?",
    "reading.author.unknown_close": "Aucun auteur «\u202f{query}\u202f». Vouliez-vous dire\u00a0:",
    "reading.author.unknown": (
        "Aucun auteur «\u202f{query}\u202f». /auteurs donne la liste des auteurs."
    ),
    "reading.authors.header": "✍️ <b>Les auteurs</b>",
    "reading.authors.empty": "Aucun auteur pour l’instant.",
    "reading.topics.header": "🏷 <b>Les sujets</b>",
    "reading.topics.hint": "Touchez un sujet pour lire ses articles, ➕ pour vous y abonner.",
    "reading.topics.hint.group": "Touchez un sujet pour lire ses articles, ➕ pour y abonner le groupe.",
    "reading.topics.empty": "Aucun sujet pour l’instant.",
    "reading.article.related": "📚 <b>Lire aussi</b>",
    "reading.article.usage": (
        "Quel article\u202f? /derniers montre les derniers articles, numérotés\u00a0: "
        "<code>/article 1</code> ouvre le premier de la liste."
    ),
    "reading.article.not_found": (
        "Cet article n’existe pas ou a été retiré. /derniers montre les derniers articles."
    ),
    "reading.article.not_in_list": (
        "Votre dernière liste n’a pas d’article n°\u00a0{number}. /derniers montre les "
        "derniers articles, numérotés."
    ),
    "reading.button.share": "↗️ Partager",
    "reading.article.gone": "Cet article n’est plus disponible.",
    "reading.stale_page": "Cette page n’est plus disponible. Relancez la commande.",
    "reading.stale_button": "Ce bouton n’est plus valable.",
    "reading.search.usage": (
        "Que cherchez-vous\u202f? Écrivez par exemple <code>/recherche sécurité Mopti</code>, "
        "ou envoyez-moi simplement quelques mots."
    ),
    "reading.search.no_words": (
        "Écrivez au moins un mot à chercher, par exemple <code>/recherche coton</code>."
    ),
    "reading.search.none": (
        "Aucun article ne correspond à «\u202f{query}\u202f». Essayez d’autres mots, ou /derniers."
    ),
    "reading.search.header": "🔎 <b>Recherche\u00a0: «\u202f{query}\u202f»</b>",
    "reading.search.expired": "Cette recherche a expiré. Relancez-la avec /recherche.",
    # --- language (handlers/language.py) ---
    "language.choose": "Dans quelle langue voulez-vous mes réponses et les alertes\u202f?",
    "language.choose.group": "Dans quelle langue ce groupe doit-il recevoir mes réponses et les alertes\u202f?",
    "language.chosen": "C’est noté\u00a0: je vous écris désormais en français, réponses et alertes.",
    "language.chosen.group": "C’est noté\u00a0: j’écris désormais en français dans ce groupe, réponses et alertes.",
    # --- subscriptions (handlers/subscriptions.py) ---
    "sub.admins_only": "Seuls les administrateurs du groupe peuvent modifier ses abonnements.",
    "sub.channel_admins_only": "Seuls les administrateurs du canal peuvent modifier ses abonnements.",
    "sub.topic_added": "Vous recevrez les nouveaux articles {name}.",
    "sub.topic_added.group": "Ce groupe recevra les nouveaux articles {name}.",
    "sub.topic_already": "Vous suivez déjà {name}.",
    "sub.topic_already.group": "Ce groupe suit déjà {name}.",
    "sub.author_added": "Vous recevrez les nouveaux articles {de_name}.",
    "sub.author_added.group": "Ce groupe recevra les nouveaux articles {de_name}.",
    "sub.author_already": "Vous suivez déjà {name}.",
    "sub.author_already.group": "Ce groupe suit déjà {name}.",
    "sub.which_one": "Plusieurs correspondances. Lequel voulez-vous suivre\u202f?",
    "sub.new_topic_button": "Non, suivre #{name}",
    "sub.did_you_mean": "«\u202f{word}\u202f» ne correspond à aucun sujet ni auteur. Vouliez-vous dire\u00a0:",
    "sub.bad_name": "Ce nom ne peut pas servir de sujet. Essayez un mot comme <code>/abonner Mali</code>.",
    "sub.new_topic_added": "Aucun article ne porte encore {name}, mais nous vous préviendrons dès qu’un article paraîtra sur ce sujet.",
    "sub.new_topic_added.group": "Aucun article ne porte encore {name}, mais ce groupe sera prévenu dès qu’un article paraîtra sur ce sujet.",
    "sub.confirm_all_button": "Oui, tout arrêter",
    "sub.keep_all_button": "Non",
    "sub.confirm_all": "Arrêter tous vos abonnements\u202f?",
    "sub.confirm_all.group": "Arrêter tous les abonnements du groupe\u202f?",
    "sub.kept_all": "Rien n’a changé\u00a0: vos abonnements restent.",
    "sub.kept_all.group": "Rien n’a changé\u00a0: les abonnements du groupe restent.",
    "sub.removed": "Vous ne suivez plus {name}.",
    "sub.removed.group": "Ce groupe ne suit plus {name}.",
    "sub.not_following": "Vous ne suivez pas «\u202f{name}\u202f». /abonnements montre vos abonnements.",
    "sub.not_following.group": "Ce groupe ne suit pas «\u202f{name}\u202f». /abonnements montre ses abonnements.",
    "sub.none": "Aucun abonnement pour l’instant. Essayez <code>/abonner Mali</code> ou /rubriques.",
    "sub.none.group": "Ce groupe n’a aucun abonnement pour l’instant. Essayez <code>/abonner Mali</code> ou /rubriques.",
    "sub.list": "Vos abonnements ({count})\u00a0:\n{lines}",
    "sub.list.group": "Abonnements du groupe ({count})\u00a0:\n{lines}",
    "sub.list_page": "Vos abonnements ({count}), page {page} sur {pages}\u00a0:\n{lines}",
    "sub.list_page.group": "Abonnements du groupe ({count}), page {page} sur {pages}\u00a0:\n{lines}",
    "sub.too_many": "Cette conversation a déjà {limit}\u00a0abonnements, le maximum. Retirez-en un avec /abonnements avant d’en ajouter un autre.",
    "sub.too_many_new": "Cette conversation suit déjà {limit}\u00a0nouveaux sujets qu’aucun article ne porte encore. Attendez qu’un article paraisse sur l’un d’eux, ou retirez-en un avec /abonnements.",
    "sub.new_topics_full": "Impossible de créer de nouveaux sujets pour l’instant. Suivez un sujet existant (/rubriques) ou réessayez plus tard.",
    "sub.all_removed.one": "C’est fait\u00a0: {count} abonnement arrêté.",
    "sub.all_removed.many": "C’est fait\u00a0: {count} abonnements arrêtés.",
    "sub.stale_button": "Ce bouton n’est plus valable. Recommencez avec /abonner.",
    "sub.removed_short": "Vous ne suivez plus {name}",
    "sub.added_short": "Abonné à {name}",
    # --- editors (handlers/editor.py) ---
    "editor.ask_title": "Nouvel article. Envoyez la ligne de titre avec ses hashtags, par exemple\u00a0: <code>#Mali\u00a0: Titre de l’article</code>\n/annuler pour abandonner.",
    "editor.ask_byline": "La signature\u202f? Par exemple <code>Par Awa KEITA</code>, ou «\u202fPasser\u202f» pour signer «\u202fLa rédaction\u202f».",
    "editor.ask_text": "Le texte de l’article\u00a0: le premier paragraphe est le chapeau\u00a0; séparez les paragraphes par une ligne vide.",
    "editor.ask_photo": "Une photo\u202f? Envoyez-la ici, ou son lien https://…, ou «\u202fPasser\u202f».",
    "editor.ask_link": "Le lien de l’article sur le site\u202f? https://… ou «\u202fPasser\u202f».",
    "editor.skip_button": "Passer",
    "editor.bad_byline": "Je ne reconnais pas cette signature. Écrivez <code>Par Prénom NOM</code>, ou «\u202fPasser\u202f».",
    "editor.bad_photo": "Envoyez une photo, un lien qui commence par https://, ou «\u202fPasser\u202f».",
    "editor.bad_link": "Envoyez un lien qui commence par https://, ou «\u202fPasser\u202f».",
    "editor.photo_unusable": "Telegram n’a pas pu afficher cette photo\u00a0: les abonnés ne la recevraient pas. Envoyez une autre photo ou un autre lien, ou «\u202fPasser\u202f».",
    "editor.photo_unusable_text": "Telegram n’a pas pu afficher la photo de la ligne <code>Photo\u00a0:</code>\u00a0: les abonnés ne la recevraient pas. Renvoyez l’article avec un autre lien, ou sans photo.",
    "editor.edit_usage": "Indiquez le numéro de l’article à corriger\u00a0: <code>/corriger 42</code>",
    "editor.unpublish_usage": "Indiquez le numéro de l’article à retirer\u00a0: <code>/retirer 42</code>",
    "editor.not_found": "Aucun article publié ne porte le numéro {id}.",
    "editor.edit_current": "Article n°\u00a0{id} tel qu’il est publié. Copiez-le, corrigez-le et renvoyez-le en un seul message (la ligne <code>Photo\u00a0:</code> change ou retire la photo\u00a0; /annuler pour abandonner)\u00a0:",
    "editor.ask_new_text": "Envoyez l’article corrigé en un seul message\u00a0: le titre, la signature (facultative), puis le texte. /annuler pour abandonner.",
    "editor.unchanged": "Ce texte est identique à l’article publié\u00a0: rien à corriger. Envoyez le texte corrigé, ou /annuler.",
    "editor.will_send.one": "Sera envoyé dans {count} conversation.",
    "editor.will_send.many": "Sera envoyé dans {count} conversations.",
    "editor.will_correct.one": "Correction de l’article n°\u00a0{id}\u00a0: {count} alerte déjà envoyée sera mise à jour.",
    "editor.will_correct.many": "Correction de l’article n°\u00a0{id}\u00a0: {count} alertes déjà envoyées seront mises à jour.",
    "editor.publish_button": "Publier",
    "editor.urgent_button": "Publier en alerte",
    "editor.change_button": "Modifier",
    "editor.cancel_button": "Annuler",
    "editor.correct_button": "Enregistrer la correction",
    "editor.force_button": "Publier quand même",
    "editor.stale": "Ce brouillon n’est plus disponible (déjà traité ou expiré). Recommencez avec /publier, /corriger ou /retirer.",
    "editor.duplicate": "⚠️ Déjà publié\u202f? «\u202f{title}\u202f», du même auteur, est paru le {date} (n°\u00a0{id}). Publier quand même\u202f?",
    "editor.published.one": "Publié (n°\u00a0{id})\u00a0: {count} alerte en file.",
    "editor.published.many": "Publié (n°\u00a0{id})\u00a0: {count} alertes en file.",
    "editor.already_done": "Cet article est déjà publié (n°\u00a0{id}).",
    "editor.corrected.one": "Correction enregistrée (n°\u00a0{id})\u00a0: {count} alerte sera corrigée.",
    "editor.corrected.many": "Correction enregistrée (n°\u00a0{id})\u00a0: {count} alertes seront corrigées.",
    "editor.not_corrected": "Rien n’a changé\u00a0: l’article n°\u00a0{id} est identique ou n’est plus publié.",
    "editor.conflict": "⚠️ Pendant que vous corrigiez l’article n°\u00a0{id}, quelqu’un d’autre l’a corrigé. Votre correction n’a pas été enregistrée, pour ne pas effacer la sienne, mais rien n’est perdu\u00a0: votre texte suit, puis la version publiée maintenant.",
    "editor.conflict_yours": "Votre correction (non enregistrée)\u00a0:",
    "editor.conflict_current": "Article n°\u00a0{id} tel qu’il est publié maintenant. Reportez-y votre correction et renvoyez-le en un seul message (/annuler pour abandonner)\u00a0:",
    "editor.cancelled": "Publication annulée\u00a0: rien n’a été envoyé.",
    "editor.correction_cancelled": "Correction abandonnée\u00a0: l’article n’a pas changé.",
    "editor.use_buttons": "Utilisez les boutons sous l’aperçu pour publier, modifier ou annuler.",
    "editor.expired": "Publication abandonnée après {minutes}\u00a0min sans réponse\u00a0: rien n’a été envoyé.",
    "editor.progress": "📤 Envoi en cours — envoyées\u00a0: {sent} · en attente\u00a0: {pending} · échecs\u00a0: {failed}",
    "editor.progress_done": "✅ Envoi terminé — envoyées\u00a0: {sent} · échecs\u00a0: {failed}",
    "editor.progress_correct": "📤 Correction des alertes en cours — restent\u00a0: {pending}",
    "editor.progress_correct_done": "✅ Correction terminée\u00a0: les alertes envoyées sont à jour.",
    "editor.progress_withdraw": "📤 Retrait des alertes en cours — restent\u00a0: {pending}",
    "editor.progress_withdraw_done": "✅ Retrait terminé\u00a0: les alertes envoyées sont supprimées ou marquées comme retirées.",
    "editor.publish_help": "«\u202fPublier\u202f»\u00a0: l’alerte arrive sans sonnerie (notification silencieuse). «\u202fPublier en alerte\u202f»\u00a0: marquée 🔴 ALERTE, elle sonne chez chacun. «\u202fProgrammer…\u202f»\u00a0: à une date et une heure choisies.",
    "editor.schedule_help": "«\u202fProgrammer\u202f»\u00a0: à l’heure dite, l’alerte arrive sans sonnerie. «\u202fProgrammer en alerte\u202f»\u00a0: marquée 🔴 ALERTE, elle sonnera chez chacun.",
    "editor.scheduled_for": "🕒 Parution prévue le {when}.",
    "editor.when_button": "Programmer…",
    "editor.when_again_button": "Changer l’heure",
    "editor.schedule_button": "Programmer",
    "editor.schedule_urgent_button": "Programmer en alerte",
    "editor.ask_day": "Quel jour publier\u202f?",
    "editor.today_button": "Aujourd’hui",
    "editor.tomorrow_button": "Demain",
    "editor.other_date_button": "Autre date…",
    "editor.unschedule_button": "Sans programmation",
    "editor.back_button": "Retour",
    "editor.today": "aujourd’hui",
    "editor.tomorrow": "demain",
    "editor.ask_hour": "À quelle heure, {day}\u202f?",
    "editor.other_time_button": "Autre heure…",
    "editor.ask_when": "Envoyez la date et l’heure de parution, par exemple <code>02/12/2026 07:00</code>.",
    "editor.ask_when_today": "Envoyez l’heure de parution d’aujourd’hui, par exemple <code>07:30</code>.",
    "editor.ask_when_tomorrow": "Envoyez l’heure de parution de demain, par exemple <code>07:30</code>.",
    "editor.bad_when": "Je ne lis pas cette heure. Écrivez <code>07:30</code>, ou la date et l’heure\u00a0: <code>02/12/2026 07:30</code>.",
    "editor.schedule_past": "Le {when} est déjà passé\u00a0: choisissez une heure à venir.",
    "editor.scheduled": "🕒 Programmé\u00a0: l’article paraîtra le {when}. Rien n’est visible d’ici là. /programmes pour le publier plus tôt ou l’annuler.",
    "editor.scheduled_out.one": "🕒 Article programmé paru (n°\u00a0{id})\u00a0: {count} alerte en file.",
    "editor.scheduled_out.many": "🕒 Article programmé paru (n°\u00a0{id})\u00a0: {count} alertes en file.",
    "editor.scheduled_none": "Aucun article programmé.",
    "editor.scheduled_header.one": "🕒 {count} article programmé\u00a0:",
    "editor.scheduled_header.many": "🕒 {count} articles programmés\u00a0:",
    "editor.scheduled_item": "«\u202f{title}\u202f» — le {when}",
    "editor.publish_now_button": "Publier maintenant",
    "editor.unschedule_item_button": "Annuler",
    "editor.scheduled_gone": "Cet article n’attend plus\u00a0: déjà publié ou annulé.",
    "editor.unscheduled": "Parution annulée\u00a0: «\u202f{title}\u202f» ne sera pas publié.",
    "editor.which_field": "Que voulez-vous modifier\u202f? Le reste ne change pas.",
    "editor.field.title": "Titre",
    "editor.field.byline": "Signature",
    "editor.field.text": "Texte",
    "editor.field.photo": "Photo",
    "editor.field.link": "Lien",
    "editor.field.all": "Tout l’article en un message",
    "editor.field_current": "Actuellement\u00a0: {value}",
    "editor.field_none": "aucun",
    "editor.field_telegram_photo": "une photo envoyée depuis Telegram",
    "editor.ask_fix.title": "Envoyez la nouvelle ligne de titre, avec ses hashtags.",
    "editor.ask_fix.byline": "Envoyez la nouvelle signature, par exemple <code>Par Awa KEITA</code>.",
    "editor.ask_fix.text": "Envoyez le nouveau texte\u00a0: le premier paragraphe est le chapeau\u00a0; séparez les paragraphes par une ligne vide.",
    "editor.ask_fix.photo": "Envoyez la nouvelle photo, ou son lien https://….",
    "editor.ask_fix.link": "Envoyez le nouveau lien https://… de l’article sur le site.",
    "editor.without_byline_button": "Sans signature (La rédaction)",
    "editor.without_photo_button": "Sans photo",
    "editor.without_link_button": "Sans lien",
    "editor.photo_added_note": "Photo ajoutée\u00a0: Telegram ne permet pas d’ajouter une photo à un message déjà envoyé. Les alertes déjà reçues gardent leur forme et leur texte est corrigé\u00a0; celles qui partent ensuite auront la photo.",
    "editor.photo_removed_note": "Photo retirée\u00a0: Telegram ne permet pas de retirer la photo d’un message déjà envoyé. Les alertes déjà reçues gardent leur photo et leur légende est corrigée\u00a0; celles qui partent ensuite n’auront pas de photo.",
    "editor.photo_changed_note": "Photo changée\u00a0: les alertes déjà reçues gardent l’ancienne photo et leur légende est corrigée\u00a0; celles qui partent ensuite auront la nouvelle.",
    "editor.confirm_withdraw": "Retirer l’article n°\u00a0{id}\u202f? Il disparaîtra des listes et de la recherche.",
    "editor.will_remove.one": "{count} alerte envoyée sera supprimée (ou marquée comme retirée au-delà de 48\u00a0h).",
    "editor.will_remove.many": "{count} alertes envoyées seront supprimées (ou marquées comme retirées au-delà de 48\u00a0h).",
    "editor.withdraw_button": "Retirer l’article",
    "editor.keep_button": "Annuler",
    "editor.withdrawn.one": "Article n°\u00a0{id} retiré\u00a0: {count} alerte sera supprimée ou marquée comme retirée.",
    "editor.withdrawn.many": "Article n°\u00a0{id} retiré\u00a0: {count} alertes seront supprimées ou marquées comme retirées.",
    "editor.already_withdrawn": "L’article n°\u00a0{id} est déjà retiré.",
    "editor.kept": "L’article n°\u00a0{id} reste publié.",
    "editor.stats_title": "📊 <b>Statistiques</b>",
    "editor.stats_articles": "<b>Articles publiés</b>\u00a0: {total} (dernières 24\u00a0h\u00a0: {recent}) · retirés\u00a0: {withdrawn}",
    "editor.stats_chats": "<b>Conversations</b> — actives\u00a0: {active} · bloquées\u00a0: {blocked} · quittées\u00a0: {left}",
    "editor.stats_chat_kinds": "Parmi les actives — privées\u00a0: {private} · groupes\u00a0: {groups} · canaux\u00a0: {channels}",
    "editor.stats_topics": "<b>Abonnements par sujet</b>",
    "editor.stats_authors": "<b>Abonnements par auteur</b>",
    "editor.stats_deliveries": "<b>Alertes des dernières 24\u00a0h</b> — envoyées\u00a0: {sent} · en attente\u00a0: {pending} · échecs\u00a0: {failed} · annulées\u00a0: {cancelled}",
    "editor.stats_delays": "Délai entre publication et réception — médiane\u00a0: {median} · 95ᵉ centile\u00a0: {p95}",
    "editor.stats_none": "—",
    # --- feeds (handlers/feeds.py) ---
    "feeds.error.bad_url": "l’adresse doit commencer par http:// ou https://",
    # One wording for every connection failure, so that errors reveal nothing about ports.
    "feeds.error.network": "le site est injoignable, ou son adresse n’est pas autorisée",
    "feeds.error.http": "le site a répondu par l’erreur {status}",
    "feeds.error.redirects": "le site renvoie d’adresse en adresse sans fin",
    "feeds.error.too_big": "le flux dépasse {megabytes}\u00a0Mo",
    "feeds.error.encoding": "le site envoie le flux dans une compression inconnue",
    "feeds.error.not_feed": "cette page n’est pas un flux RSS, Atom ou JSON Feed",
    "feeds.error.unsafe": "le flux contient des déclarations XML dangereuses, il est refusé",
    "feeds.error.too_slow": "la lecture du flux a pris trop de temps, elle a été abandonnée",
    "feeds.error.charset": "le flux est écrit dans un jeu de caractères que je ne sais pas lire",
    "feeds.error.internal": "erreur interne du bot, voir son journal",
    "feeds.error.file": "fichier introuvable ou illisible",
    "feeds.usage_add": (
        "Donnez l’adresse du flux, et si vous voulez l’intervalle en minutes\u00a0: "
        "<code>/ajouterflux https://exemple.ml/feed 10</code>"
    ),
    "feeds.usage_remove": "Donnez le numéro du flux à retirer\u00a0: <code>/retirerflux 3</code>",
    "feeds.bad_interval": "L’intervalle doit être un nombre de minutes entre 1 et {max}.",
    "feeds.fetching": "⏳ Je lis le flux…",
    "feeds.added": (
        "✅ Flux n°\u00a0{id} ajouté\u00a0: {feed}\n"
        "{found}\u00a0: {counts}, sans alerte.{warning} "
        "Je le relirai toutes les {minutes}\u00a0min."
    ),
    "feeds.add_failed": "❌ Je n’ai pas pu lire ce flux\u00a0: {error}. Rien n’a été ajouté.",
    "feeds.found.one": "{count} article trouvé",
    "feeds.found.many": "{count} articles trouvés",
    "feeds.new.one": "{count} nouveau importé",
    "feeds.new.many": "{count} nouveaux importés",
    "feeds.error.no_feed_link": "cette page n’est pas un flux et n’en indique aucun",
    "feeds.count.new.one": "{count} nouveau",
    "feeds.count.new.many": "{count} nouveaux",
    "import.alerted.one": "{count} nouvel article a mis des alertes en file pour les abonnés",
    "import.alerted.many": "{count} nouveaux articles ont mis des alertes en file pour les abonnés",
    "import.summary": "{found}\u00a0: {counts}",
    "import.found.one": "{count} entrée",
    "import.found.many": "{count} entrées",
    "feeds.count.updated.one": "{count} mis à jour",
    "feeds.count.updated.many": "{count} mis à jour",
    "feeds.count.unchanged.one": "{count} inchangé",
    "feeds.count.unchanged.many": "{count} inchangés",
    "feeds.count.no_text.one": "{count} ignoré faute de texte",
    "feeds.count.no_text.many": "{count} ignorés faute de texte",
    "feeds.count.too_old.one": "{count} ignoré car trop ancien",
    "feeds.count.too_old.many": "{count} ignorés car trop anciens",
    "feeds.count.refused.one": "{count} refusé",
    "feeds.count.refused.many": "{count} refusés",
    "feeds.count.undated.one": "{count} sans date lisible, daté de sa première lecture",
    "feeds.count.undated.many": "{count} sans date lisible, datés de leur première lecture",
    "feeds.count.stale.one": "{count} trop ancien pour une alerte",
    "feeds.count.stale.many": "{count} trop anciens pour une alerte",
    "feeds.read": "{found}\u00a0: {counts}.{warning}",
    "feeds.last_read": "Dernière lecture du flux\u00a0: {read}",
    "feeds.malformed": "⚠️ Le flux est mal formé\u00a0: des articles ont pu s’y perdre.",
    "feeds.failures.one": "{count} échec",
    "feeds.failures.many": "{count} échecs",
    "feeds.already": "Ce flux est déjà suivi\u00a0: n°\u00a0{id}, {feed}.",
    "feeds.removed": "🗑 Flux n°\u00a0{id} retiré\u00a0: {feed}. Ses articles restent en ligne.",
    "feeds.not_found": "Aucun flux n°\u00a0{id}. La liste\u00a0: /flux",
    "feeds.unavailable": "La lecture des flux n’est pas active. Réessayez dans un moment.",
    "feeds.none": (
        "Aucun flux suivi. Ajoutez-en un avec <code>/ajouterflux https://exemple.ml/feed</code>"
    ),
    "feeds.list_title": "<b>Flux suivis ({count})</b>",
    "feeds.entry": "<b>n°\u00a0{id}</b> · {feed}\n{url}\nToutes les {minutes}\u00a0min · {state}",
    "feeds.state_ok": "✅ lu {last_success}, prochaine lecture {next_poll}",
    "feeds.state_new": "⏳ pas encore lu, première lecture {next_poll}",
    "feeds.state_failing": (
        "⚠️ {failures} de suite, dernier succès\u00a0: {last_success}, "
        "nouvel essai {next_poll}\nErreur\u00a0: {error}"
    ),
    "feeds.soon": "d’un instant à l’autre",
    "feeds.never": "jamais",
    "feeds.notice_failing": (
        "⚠️ Le flux n°\u00a0{id} ({feed}) a échoué {failures} fois de suite\u00a0: {error}. "
        "J’essaie de nouveau de moins en moins souvent. État\u00a0: /flux"
    ),
    "feeds.notice_recovered": "✅ Le flux n°\u00a0{id} ({feed}) fonctionne de nouveau.",
    # --- reader settings (handlers/reglages.py, bot/digests.py) ---
    "reading.command.digest": "Les nouveaux articles en un message, à vos heures",
    "reading.command.quiet": "Des heures calmes, sans alerte",
    "reading.args.digest": "07:00, 18:00 ou off",
    "reading.args.quiet": "22:00-07:00 ou off",
    "reading.command.settings": "Langue, sélection, heures calmes et abonnements",
    "digest.header": "🗞 <b>La sélection de {time}</b> · {articles}",
    "digest.quiet_header": "🌙 <b>Parus pendant les heures calmes</b> · {articles}",
    "digest.count.one": "{count}\u00a0article",
    "digest.count.many": "{count}\u00a0articles",
    "settings.and": " et ",
    "settings.digest_set": "C’est noté\u00a0: les nouveaux articles vous arriveront ensemble, en un message, à {times}. Les alertes urgentes arrivent toujours tout de suite.",
    "settings.digest_set.group": "C’est noté\u00a0: les nouveaux articles arriveront dans ce groupe ensemble, en un message, à {times}. Les alertes urgentes arrivent toujours tout de suite.",
    "settings.digest_off": "C’est noté\u00a0: plus de sélection, chaque article arrive dès sa parution.",
    "settings.digest_usage": "À quelle heure envoyer la sélection des nouveaux articles\u202f? Par exemple <code>/resume 7h</code> ou <code>/resume 7:00, 18:00</code>\u00a0; <code>/resume off</code> l’arrête. /reglages propose des heures toutes prêtes.",
    "settings.digest_bad": "Je ne reconnais pas d’heure dans «\u202f{text}\u202f». Écrivez par exemple <code>/resume 7h30</code> ou <code>/resume 7:00, 18:00</code> (six heures au plus), ou <code>/resume off</code>.",
    "settings.digest_full": "Six heures de sélection au plus. Retirez-en une avant d’en ajouter une autre.",
    "settings.quiet_set": "C’est noté\u00a0: de {start} à {end}, les alertes attendront et arriveront ensemble, en un message, à {end}. Les alertes urgentes arrivent quand même, sans sonnerie.",
    "settings.quiet_off": "C’est noté\u00a0: plus d’heures calmes, les alertes arrivent dès la parution.",
    "settings.quiet_usage": "Pendant quelles heures les alertes doivent-elles attendre\u202f? Par exemple <code>/silence 22:00-07:00</code> ou <code>/silence 23h-6h</code>\u00a0; <code>/silence off</code> les arrête. /reglages propose des horaires tout prêts.",
    "settings.quiet_bad": "Je ne reconnais pas d’horaire dans «\u202f{text}\u202f». Écrivez le début et la fin, par exemple <code>/silence 22:00-07:00</code>, ou <code>/silence off</code>.",
    "settings.title": "⚙️ <b>Vos réglages</b>",
    "settings.title.group": "⚙️ <b>Les réglages du groupe</b>",
    "settings.language": "🌐 Langue\u00a0: {language}",
    "settings.digest": "🗞 Sélection\u00a0: à {times}",
    "settings.digest_none": "🗞 Sélection\u00a0: aucune, chaque article arrive dès sa parution",
    "settings.quiet": "🌙 Heures calmes\u00a0: de {start} à {end}",
    "settings.quiet_none": "🌙 Heures calmes\u00a0: aucune",
    "settings.subscriptions.one": "🔔 {count}\u00a0abonnement\u00a0: {names}",
    "settings.subscriptions.many": "🔔 {count}\u00a0abonnements\u00a0: {names}",
    "settings.no_subscriptions": "🔔 Aucun abonnement. Essayez <code>/abonner Mali</code> ou /rubriques.",
    "settings.hint": "Touchez une heure pour l’ajouter à la sélection ou l’en retirer.",
    "settings.button.digest_off": "Chaque article dès sa parution",
    "settings.button.quiet_off": "Pas d’heures calmes",
    "settings.button.subscriptions": "🔔 Gérer les abonnements",
    "settings.saved": "C’est noté.",
    "settings.stale": "Ce bouton n’est plus valable. Ouvrez de nouveau /reglages.",
    "chiefs_only": "Réservé aux rédacteurs en chef\u00a0: ils gèrent la rédaction et les flux.",
    "reading.command.editors": "Les rédacteurs\u00a0: ajouter, retirer",
    "reading.command.journal": "Le journal des actions de la rédaction",
    "newsroom.editors.header": "👥 <b>La rédaction</b>",
    "newsroom.editors.chiefs": "Rédacteurs en chef (NEWSBOT_ADMINS)\u00a0: {names}.",
    "newsroom.editors.none": "Aucun rédacteur ajouté depuis Telegram pour l’instant.",
    "newsroom.editors.count.one": "{count} rédacteur ajouté depuis Telegram\u00a0:",
    "newsroom.editors.count.many": "{count} rédacteurs ajoutés depuis Telegram\u00a0:",
    "newsroom.editors.line": "• {name} (n°\u00a0{id}), depuis le {date}",
    "newsroom.editors.usage": (
        "Ajouter un rédacteur\u00a0: <code>/editors add 123456789</code> (son identifiant "
        "Telegram), ou transférez-moi un message qu’il a écrit. Le retirer\u00a0: son bouton "
        "ci-dessous, ou <code>/editors remove 123456789</code>."
    ),
    "newsroom.editors.remove_button": "Retirer {name}",
    "newsroom.editors.add_button": "Ajouter {name} à la rédaction",
    "newsroom.editors.offer": "Ajouter {name} (n°\u00a0{id}) à la rédaction\u202f? Il pourra publier, corriger et retirer des articles.",
    "newsroom.editors.added": "✅ {name} fait désormais partie de la rédaction\u00a0: publier, corriger, retirer.",
    "newsroom.editors.already": "{name} fait déjà partie de la rédaction.",
    "newsroom.editors.removed": "🗑 {name} ne fait plus partie de la rédaction. Ses boutons ne marchent plus.",
    "newsroom.editors.not_editor": "Le n°\u00a0{id} n’est pas un rédacteur ajouté depuis Telegram.",
    "newsroom.editors.is_chief": "Le n°\u00a0{id} est rédacteur en chef (NEWSBOT_ADMINS)\u00a0: cela se change dans la configuration du bot, pas ici.",
    "newsroom.editors.bad_id": "«\u202f{value}\u202f» n’est pas un identifiant Telegram\u00a0: c’est un nombre, par exemple <code>/editors add 123456789</code>.",
    "newsroom.editors.hidden_forward": (
        "Ce message ne dit pas qui l’a écrit\u00a0: {name} masque son compte dans les "
        "transferts (réglage de confidentialité de Telegram). Demandez-lui son identifiant "
        "Telegram (un nombre) et envoyez <code>/editors add</code> suivi de ce nombre."
    ),
    "newsroom.editors.forward_not_person": (
        "Ce message vient d’un groupe ou d’un canal, pas d’une personne. Transférez un message "
        "qu’elle a écrit elle-même, ou envoyez <code>/editors add</code> et son identifiant."
    ),
    "newsroom.editors.bot": "Un bot ne peut pas faire partie de la rédaction.",
    "newsroom.editors.stale": "Ce bouton n’est plus valable. Ouvrez de nouveau /editors.",
    "newsroom.journal.header": "📒 <b>Journal de la rédaction</b>",
    "newsroom.journal.empty": "Rien dans le journal pour l’instant.",
    "newsroom.journal.line": "{date} — <b>{who}</b> {action}{what}",
    "newsroom.journal.article": "\u00a0: n°\u00a0{id} «\u202f{title}\u202f»",
    "newsroom.journal.detail": "\u00a0: {detail}",
    "newsroom.journal.someone": "n°\u00a0{id}",
    "newsroom.journal.stale": "Ce bouton n’est plus valable. Ouvrez de nouveau /journal.",
    "newsroom.action.publish": "a publié",
    "newsroom.action.revise": "a corrigé",
    "newsroom.action.withdraw": "a retiré",
    "newsroom.action.preview": "a prévisualisé",
    "newsroom.action.cancel": "a abandonné un brouillon",
    "newsroom.action.schedule": "a programmé",
    "newsroom.action.unschedule": "a annulé une parution programmée",
    "newsroom.action.feed.add": "a ajouté un flux",
    "newsroom.action.feed.remove": "a retiré un flux",
    "newsroom.action.editor.add": "a ajouté à la rédaction",
    "newsroom.action.editor.remove": "a retiré de la rédaction",
}
