<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About Lanterne</source>
        <translation>À propos de Lanterne</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Lanterne {0}&lt;/h3&gt;&lt;p&gt;Your documents, answered offline. Nothing leaves this computer.&lt;/p&gt;&lt;p&gt;Free software under the GNU Affero General Public License, version 3 or later. The third-party components it contains and their licences are listed below.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Lanterne {0}&lt;/h3&gt;&lt;p&gt;Vos documents, des réponses hors ligne. Rien ne quitte cet ordinateur.&lt;/p&gt;&lt;p&gt;Logiciel libre sous licence GNU Affero General Public License, version 3 ou ultérieure. Les composants tiers qu’il contient et leurs licences sont listés ci-dessous.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Third-party notices</source>
        <translation>Mentions des composants tiers</translation>
    </message>
    <message>
        <source>The third-party notices file is missing from this installation.</source>
        <translation>Le fichier des mentions des composants tiers manque dans cette installation.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Lanterne cannot use its data folder {0}: {1}</source>
        <translation>Lanterne ne peut pas utiliser son dossier de données {0} : {1}</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss</source>
        <translation>Fermer</translation>
    </message>
</context>
<context>
    <name>ChatPanel</name>
    <message>
        <source>, page {0}</source>
        <translation>, page {0}</translation>
    </message>
    <message>
        <source>All collections</source>
        <translation>Toutes les collections</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Vous</translation>
    </message>
    <message>
        <source>Lanterne</source>
        <translation>Lanterne</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>Chargement du modèle…</translation>
    </message>
    <message>
        <source>Reading your documents…</source>
        <translation>Lecture de vos documents…</translation>
    </message>
    <message>
        <source>In your documents:</source>
        <translation>Dans vos documents :</translation>
    </message>
    <message>
        <source>“{0}”</source>
        <translation>«&#xa0;{0}&#xa0;»</translation>
    </message>
    <message>
        <source>Not found in your documents. Try other words, or check that the folder holding the answer is in this conversation’s collections.</source>
        <translation>Introuvable dans vos documents. Essayez d’autres mots, ou vérifiez que le dossier qui contient la réponse fait partie des collections de cette conversation.</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>Arrêté.</translation>
    </message>
    <message>
        <source>Nothing in this answer could be verified in your documents: rely on the passages shown instead.</source>
        <translation>Rien dans cette réponse n’a pu être vérifié dans vos documents : fiez-vous plutôt aux passages affichés.</translation>
    </message>
    <message>
        <source>Not verified in your documents:</source>
        <translation>Non vérifié dans vos documents :</translation>
    </message>
    <message>
        <source>Passages read (the model did not cite them; check the answer against them)</source>
        <translation>Passages lus (le modèle ne les a pas cités ; vérifiez la réponse à partir d’eux)</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>Sources</translation>
    </message>
    <message>
        <source>Not found in your documents.</source>
        <translation>Introuvable dans vos documents.</translation>
    </message>
    <message>
        <source>{0} (server)</source>
        <translation>{0} (serveur)</translation>
    </message>
    <message>
        <source>Answer ready: {0}</source>
        <translation>Réponse prête : {0}</translation>
    </message>
    <message>
        <source>At most {0} documents can be pinned to a conversation.</source>
        <translation>Une conversation peut lire en entier au plus {0} documents.</translation>
    </message>
    <message>
        <source>This document is no longer in your library.</source>
        <translation>Ce document n’est plus dans votre bibliothèque.</translation>
    </message>
    <message>
        <source>{0} is not indexed (yet): it cannot be read whole.</source>
        <translation>{0} n’est pas (encore) indexé : il ne peut pas être lu en entier.</translation>
    </message>
    <message>
        <source>Read whole: {0}. Click to unpin.</source>
        <translation>Lu en entier : {0}. Cliquez pour le retirer.</translation>
    </message>
    <message>
        <source>Unpin {0}</source>
        <translation>Ne plus lire {0} en entier</translation>
    </message>
    <message>
        <source>On the Lanterne server</source>
        <translation>Sur le serveur Lanterne</translation>
    </message>
    <message>
        <source>Reading the pinned documents whole: part {0} of {1}… (Esc to stop)</source>
        <translation>Lecture intégrale des documents épinglés : partie {0} sur {1}… (Échap pour arrêter)</translation>
    </message>
    <message>
        <source>Read whole: {0}</source>
        <translation>Lu en entier : {0}</translation>
    </message>
    <message>
        <source>Read the whole document</source>
        <translation>Lire le document en entier</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Régénérer</translation>
    </message>
    <message>
        <source>Ask a question about your documents. Answers cite the passages they come from; click a citation to see it in the document.</source>
        <translation>Posez une question sur vos documents. Les réponses citent les passages dont elles viennent ; cliquez sur une citation pour la voir dans le document.</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Nouvelle conversation</translation>
    </message>
    <message>
        <source>{0} collections</source>
        <translation>{0} collections</translation>
    </message>
    <message>
        <source>Collections this conversation answers from</source>
        <translation>Collections dans lesquelles cette conversation cherche ses réponses</translation>
    </message>
    <message>
        <source>Collections in scope</source>
        <translation>Collections consultées</translation>
    </message>
    <message>
        <source>The Lanterne server answers with its own model</source>
        <translation>Le serveur Lanterne répond avec son propre modèle</translation>
    </message>
    <message>
        <source>Language model for this conversation</source>
        <translation>Modèle de langage de cette conversation</translation>
    </message>
    <message>
        <source>Language model</source>
        <translation>Modèle de langage</translation>
    </message>
    <message>
        <source>Ask a question about your documents (Ctrl+Enter to send)</source>
        <translation>Posez une question sur vos documents (Ctrl+Entrée pour envoyer)</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Question</translation>
    </message>
    <message>
        <source>Read whole:</source>
        <translation>Lus en entier :</translation>
    </message>
    <message>
        <source>Documents pinned to this conversation</source>
        <translation>Documents épinglés à cette conversation</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversation</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Stop the answer (Esc)</source>
        <translation>Arrêter la réponse (Échap)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>Envoyer (Ctrl+Entrée)</translation>
    </message>
    <message>
        <source>Loading the model in the background…</source>
        <translation>Chargement du modèle en arrière-plan…</translation>
    </message>
    <message>
        <source>Reading the pinned documents… (Esc to stop)</source>
        <translation>Lecture des documents épinglés… (Échap pour arrêter)</translation>
    </message>
    <message>
        <source>Searching your documents…</source>
        <translation>Recherche dans vos documents…</translation>
    </message>
    <message>
        <source>Writing the answer… (Esc to stop)</source>
        <translation>Rédaction de la réponse… (Échap pour arrêter)</translation>
    </message>
    <message>
        <source>The model could not be loaded: choose another one in Models.</source>
        <translation>Le modèle n’a pas pu être chargé : choisissez-en un autre dans Modèles.</translation>
    </message>
</context>
<context>
    <name>CollectionsView</name>
    <message>
        <source>{0} — 1 document</source>
        <translation>{0} — 1 document</translation>
    </message>
    <message>
        <source>{0} — {1} documents</source>
        <translation>{0} — {1} documents</translation>
    </message>
    <message>
        <source>{0} — indexing {1} of {2}</source>
        <translation>{0} — indexation : {1} sur {2}</translation>
    </message>
    <message>
        <source>scanning</source>
        <translation>analyse</translation>
    </message>
    <message>
        <source>1 problem</source>
        <translation>1 problème</translation>
    </message>
    <message>
        <source>{0} problems</source>
        <translation>{0} problèmes</translation>
    </message>
    <message>
        <source>Collections</source>
        <translation>Collections</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Ajouter un dossier…</translation>
    </message>
    <message>
        <source>Collections and their folders</source>
        <translation>Collections et leurs dossiers</translation>
    </message>
    <message>
        <source>{0} (not reachable now; its documents are kept)</source>
        <translation>{0} (inaccessible pour l’instant ; ses documents sont conservés)</translation>
    </message>
    <message>
        <source>token refused</source>
        <translation>jeton refusé</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>injoignable</translation>
    </message>
    <message>
        <source>Lanterne server ({0})</source>
        <translation>Serveur Lanterne ({0})</translation>
    </message>
    <message>
        <source>Collections shared by the Lanterne server at {0}. Choose them in a conversation&apos;s collections to ask the server.</source>
        <translation>Collections partagées par le serveur Lanterne {0}. Choisissez-les dans les collections d’une conversation pour interroger le serveur.</translation>
    </message>
    <message>
        <source>The Lanterne server at {0} cannot be used now; this computer&apos;s collections work as usual. Check Settings ▸ Lanterne server.</source>
        <translation>Le serveur Lanterne {0} est inutilisable pour l’instant ; les collections de cet ordinateur fonctionnent normalement. Vérifiez Réglages ▸ Serveur Lanterne.</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>Afficher dans le dossier</translation>
    </message>
    <message>
        <source>Check for changes now</source>
        <translation>Rechercher les modifications maintenant</translation>
    </message>
    <message>
        <source>Read documents of this folder whole…</source>
        <translation>Lire en entier des documents de ce dossier…</translation>
    </message>
    <message>
        <source>Read this document whole</source>
        <translation>Lire ce document en entier</translation>
    </message>
    <message>
        <source>Remove from Lanterne…</source>
        <translation>Retirer de Lanterne…</translation>
    </message>
    <message>
        <source>Add folder to “{0}”…</source>
        <translation>Ajouter un dossier à « {0} »…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Renommer…</translation>
    </message>
    <message>
        <source>Show problems</source>
        <translation>Afficher les problèmes</translation>
    </message>
    <message>
        <source>Documents to read whole</source>
        <translation>Documents à lire en entier</translation>
    </message>
    <message>
        <source>Rename collection</source>
        <translation>Renommer la collection</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>Nouveau nom :</translation>
    </message>
    <message>
        <source>A collection named “{0}” already exists.</source>
        <translation>Une collection nommée « {0} » existe déjà.</translation>
    </message>
    <message>
        <source>Remove folder</source>
        <translation>Retirer le dossier</translation>
    </message>
    <message>
        <source>Stop watching “{0}” and forget its documents? The files themselves are not touched.</source>
        <translation>Ne plus surveiller « {0} » et oublier ses documents ? Les fichiers eux-mêmes ne sont pas modifiés.</translation>
    </message>
</context>
<context>
    <name>ConversationsView</name>
    <message>
        <source>Rename…</source>
        <translation>Renommer…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Supprimer…</translation>
    </message>
    <message>
        <source>Rename conversation</source>
        <translation>Renommer la conversation</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Titre :</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>Supprimer la conversation</translation>
    </message>
    <message>
        <source>Delete “{0}”? This cannot be undone.</source>
        <translation>Supprimer « {0} » ? Cette action est définitive.</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <source>New conversation (Ctrl+N)</source>
        <translation>Nouvelle conversation (Ctrl+N)</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Nouvelle conversation</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>Rechercher dans les conversations</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <source>Help — Lanterne</source>
        <translation>Aide — Lanterne</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Aide</translation>
    </message>
    <message>
        <source>Add your folders</source>
        <translation>Ajouter vos dossiers</translation>
    </message>
    <message>
        <source>Drag a folder onto the window, or use File › Add folder… (Ctrl+O). Lanterne reads the documents in it and keeps watching it: new and changed files are read again by themselves. Each folder belongs to a collection; a question can be limited to some collections.</source>
        <translation>Glissez un dossier sur la fenêtre, ou utilisez Fichier › Ajouter un dossier… (Ctrl+O). Lanterne lit les documents qu’il contient et continue de le surveiller : les fichiers nouveaux ou modifiés sont relus d’eux-mêmes. Chaque dossier appartient à une collection ; une question peut se limiter à certaines collections.</translation>
    </message>
    <message>
        <source>Ask a question</source>
        <translation>Poser une question</translation>
    </message>
    <message>
        <source>Type your question in the box at the bottom and press Ctrl+Enter. Lanterne first shows the sentences of your documents that answer it, then the model&apos;s answer. Ctrl+L goes to the question box; Esc stops an answer.</source>
        <translation>Tapez votre question dans la zone du bas et appuyez sur Ctrl+Entrée. Lanterne montre d’abord les phrases de vos documents qui y répondent, puis la réponse du modèle. Ctrl+L place le curseur dans la zone de question ; Échap arrête une réponse.</translation>
    </message>
    <message>
        <source>Check the sources</source>
        <translation>Vérifier les sources</translation>
    </message>
    <message>
        <source>Every answer cites its passages as [1], [2]… Click a source card to open the page with the passage highlighted; sentences of the answer that no passage supports are marked as not verified.</source>
        <translation>Chaque réponse cite ses passages sous la forme [1], [2]… Cliquez sur une source pour ouvrir la page avec le passage surligné ; les phrases de la réponse qu’aucun passage n’appuie sont signalées comme non vérifiées.</translation>
    </message>
    <message>
        <source>What Lanterne reads</source>
        <translation>Ce que Lanterne lit</translation>
    </message>
    <message>
        <source>PDF, Word (also .doc 97-2003), Excel (.xlsx, .xls), PowerPoint (also .ppt), OpenDocument, RTF, e-mails (.eml, .msg), web pages, text, Markdown and CSV files, and scans and photos of documents, whose text it recognises (French and English; other languages in Settings). Files it cannot read are listed under View › Problems… with the reason.</source>
        <translation>PDF, Word (y compris .doc 97-2003), Excel (.xlsx, .xls), PowerPoint (y compris .ppt), OpenDocument, RTF, e-mails (.eml, .msg), pages web, fichiers texte, Markdown et CSV, ainsi que les documents numérisés et les photos de documents, dont il reconnaît le texte (français et anglais ; d’autres langues dans les Réglages). Les fichiers qu’il ne peut pas lire sont listés dans Affichage › Problèmes…, avec la raison.</translation>
    </message>
    <message>
        <source>Privacy</source>
        <translation>Confidentialité</translation>
    </message>
    <message>
        <source>Everything stays on this computer: the documents, the index, the models and the conversations. Lanterne connects to the network only when you download a model, and never in strict offline mode (Settings).</source>
        <translation>Tout reste sur cet ordinateur : les documents, l’index, les modèles et les conversations. Lanterne ne se connecte au réseau que pour télécharger un modèle, et jamais en mode hors ligne strict (Réglages).</translation>
    </message>
</context>
<context>
    <name>Languages</name>
    <message>
        <source>French</source>
        <translation>français</translation>
    </message>
    <message>
        <source>English</source>
        <translation>anglais</translation>
    </message>
    <message>
        <source>German</source>
        <translation>allemand</translation>
    </message>
    <message>
        <source>Spanish</source>
        <translation>espagnol</translation>
    </message>
    <message>
        <source>Italian</source>
        <translation>italien</translation>
    </message>
    <message>
        <source>Portuguese</source>
        <translation>portugais</translation>
    </message>
    <message>
        <source>Dutch</source>
        <translation>néerlandais</translation>
    </message>
    <message>
        <source>Hindi</source>
        <translation>hindi</translation>
    </message>
    <message>
        <source>Thai</source>
        <translation>thaï</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Lanterne keeps watching your folders in the background. Quit from this icon&apos;s menu.</source>
        <translation>Lanterne continue de surveiller vos dossiers en arrière-plan. Pour quitter, utilisez le menu de cette icône.</translation>
    </message>
    <message>
        <source>Finishing the current file, then quitting…</source>
        <translation>Fin du fichier en cours, puis fermeture…</translation>
    </message>
    <message>
        <source>Add to a collection</source>
        <translation>Ajouter à une collection</translation>
    </message>
    <message>
        <source>Collection (choose one or type a new name):</source>
        <translation>Collection (choisissez-en une ou saisissez un nouveau nom) :</translation>
    </message>
    <message>
        <source>Lanterne cannot read {0}: check its permissions.</source>
        <translation>Lanterne ne peut pas lire {0} : vérifiez ses autorisations.</translation>
    </message>
    <message>
        <source>Added to “{0}”: indexing starts now. You can ask questions while it runs.</source>
        <translation>Ajouté à « {0} » : l’indexation commence. Vous pouvez poser des questions pendant ce temps.</translation>
    </message>
    <message>
        <source>Add a folder</source>
        <translation>Ajouter un dossier</translation>
    </message>
    <message>
        <source>Indexing {0}: {1} files to read</source>
        <translation>Indexation de {0} : {1} fichiers à lire</translation>
    </message>
    <message>
        <source>Indexing of {0} finished.</source>
        <translation>Indexation de {0} terminée.</translation>
    </message>
    <message>
        <source>Paused — {0}: {1} of {2} files</source>
        <translation>En pause — {0} : {1} fichiers sur {2}</translation>
    </message>
    <message>
        <source>Indexing {0}: {1} of {2} files</source>
        <translation>Indexation de {0} : {1} fichiers sur {2}</translation>
    </message>
    <message>
        <source>Indexing {0}: {1} of {2} files, about {3} left</source>
        <translation>Indexation de {0} : {1} fichiers sur {2}, temps restant : environ {3}</translation>
    </message>
    <message>
        <source>text recognition: page {0}/{1}</source>
        <translation>reconnaissance de texte : page {0}/{1}</translation>
    </message>
    <message>
        <source>Looking for changes in {0}…</source>
        <translation>Recherche de modifications dans {0}…</translation>
    </message>
    <message>
        <source>Semantic search: {0} % ready — keyword search already works</source>
        <translation>Recherche sémantique : {0} % prête — la recherche par mots-clés fonctionne déjà</translation>
    </message>
    <message>
        <source>Up to date.</source>
        <translation>À jour.</translation>
    </message>
    <message>
        <source>Indexing stopped.</source>
        <translation>Indexation arrêtée.</translation>
    </message>
    <message>
        <source>Indexing stopped: see the message above.</source>
        <translation>Indexation arrêtée : voir le message ci-dessus.</translation>
    </message>
    <message>
        <source>{0} (demo)</source>
        <translation>{0} (démo)</translation>
    </message>
    <message>
        <source>Embedder changed: every document is being indexed again.</source>
        <translation>Modèle d’embeddings changé : tous les documents sont réindexés.</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>Réglages enregistrés.</translation>
    </message>
    <message>
        <source>Lanterne stopped on an unexpected error last time. A report was saved (no document content).</source>
        <translation>Lanterne s’est arrêté sur une erreur inattendue la dernière fois. Un rapport a été enregistré (sans contenu de document).</translation>
    </message>
    <message>
        <source>Copy report</source>
        <translation>Copier le rapport</translation>
    </message>
    <message>
        <source>Open logs folder</source>
        <translation>Ouvrir le dossier des journaux</translation>
    </message>
    <message>
        <source>Lanterne — your documents, answered offline</source>
        <translation>Lanterne — vos documents, des réponses hors ligne</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Outils</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Aid&amp;e</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Ajouter un dossier…</translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation>Nouvelle conversation</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quitter</translation>
    </message>
    <message>
        <source>Problems…</source>
        <translation>Problèmes…</translation>
    </message>
    <message>
        <source>Resume indexing</source>
        <translation>Reprendre l’indexation</translation>
    </message>
    <message>
        <source>Pause indexing</source>
        <translation>Mettre l’indexation en pause</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Modèles…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Réglages…</translation>
    </message>
    <message>
        <source>Go to the question box</source>
        <translation>Aller à la zone de question</translation>
    </message>
    <message>
        <source>Larger text</source>
        <translation>Texte plus grand</translation>
    </message>
    <message>
        <source>Smaller text</source>
        <translation>Texte plus petit</translation>
    </message>
    <message>
        <source>Normal text size</source>
        <translation>Taille de texte normale</translation>
    </message>
    <message>
        <source>Lanterne help</source>
        <translation>Aide de Lanterne</translation>
    </message>
    <message>
        <source>About Lanterne</source>
        <translation>À propos de Lanterne</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>Chargement du modèle…</translation>
    </message>
    <message>
        <source>Model: {0}</source>
        <translation>Modèle : {0}</translation>
    </message>
    <message>
        <source>Model unavailable</source>
        <translation>Modèle indisponible</translation>
    </message>
    <message>
        <source>Lanterne</source>
        <translation>Lanterne</translation>
    </message>
    <message>
        <source>Show Lanterne</source>
        <translation>Afficher Lanterne</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>The disk is full. Nothing was lost: free some space and Lanterne picks up where it stopped.</source>
        <translation>Le disque est plein. Rien n’est perdu : libérez de la place et Lanterne reprendra là où il s’est arrêté.</translation>
    </message>
    <message>
        <source>Another Lanterne window or command is indexing this data folder. Lanterne will try again when it has finished.</source>
        <translation>Une autre fenêtre ou commande Lanterne indexe ce dossier de données. Lanterne réessaiera quand elle aura fini.</translation>
    </message>
    <message>
        <source>This file or folder no longer exists.</source>
        <translation>Ce fichier ou dossier n’existe plus.</translation>
    </message>
    <message>
        <source>Lanterne is not allowed to read or write there. Check the folder&apos;s permissions.</source>
        <translation>Lanterne n’a pas le droit de lire ou d’écrire à cet endroit. Vérifiez les autorisations du dossier.</translation>
    </message>
    <message>
        <source>The system refused the operation.</source>
        <translation>Le système a refusé l’opération.</translation>
    </message>
    <message>
        <source>This collection does not exist any more.</source>
        <translation>Cette collection n’existe plus.</translation>
    </message>
    <message>
        <source>Add a folder before asking questions.</source>
        <translation>Ajoutez un dossier avant de poser des questions.</translation>
    </message>
    <message>
        <source>This conversation no longer exists.</source>
        <translation>Cette conversation n’existe plus.</translation>
    </message>
    <message>
        <source>A pinned document is no longer in your library (moved, deleted or not indexed yet). Unpin it to go on.</source>
        <translation>Un document épinglé n’est plus dans votre bibliothèque (déplacé, supprimé ou pas encore indexé). Retirez-le pour continuer.</translation>
    </message>
    <message>
        <source>A pinned document has no text to read.</source>
        <translation>Un document épinglé ne contient aucun texte à lire.</translation>
    </message>
    <message>
        <source>Too many documents are pinned to this conversation: unpin some.</source>
        <translation>Trop de documents sont épinglés à cette conversation : retirez-en quelques-uns.</translation>
    </message>
    <message>
        <source>Ask a question.</source>
        <translation>Posez une question.</translation>
    </message>
    <message>
        <source>The question and its sources do not fit in the model&apos;s context. Use fewer passages or a larger context in Settings.</source>
        <translation>La question et ses sources ne tiennent pas dans le contexte du modèle. Utilisez moins de passages ou un contexte plus grand dans les Réglages.</translation>
    </message>
    <message>
        <source>The language model file is missing. Choose another model in the model manager.</source>
        <translation>Le fichier du modèle de langage est introuvable. Choisissez un autre modèle dans le gestionnaire de modèles.</translation>
    </message>
    <message>
        <source>This model is not in the catalog.</source>
        <translation>Ce modèle n’est pas dans le catalogue.</translation>
    </message>
    <message>
        <source>A model with this name is already installed.</source>
        <translation>Un modèle portant ce nom est déjà installé.</translation>
    </message>
    <message>
        <source>The demonstration model comes with the app and cannot be removed.</source>
        <translation>Le modèle de démonstration est fourni avec l’application et ne peut pas être supprimé.</translation>
    </message>
    <message>
        <source>The model could not be loaded. The file may be damaged or made for another program.</source>
        <translation>Le modèle n’a pas pu être chargé. Le fichier est peut-être endommagé ou destiné à un autre programme.</translation>
    </message>
    <message>
        <source>The model file cannot be read.</source>
        <translation>Le fichier du modèle est illisible.</translation>
    </message>
    <message>
        <source>Not enough free memory for this model. Close other programs or choose a smaller model.</source>
        <translation>Pas assez de mémoire libre pour ce modèle. Fermez d’autres programmes ou choisissez un modèle plus petit.</translation>
    </message>
    <message>
        <source>This model file is damaged or incomplete.</source>
        <translation>Ce fichier de modèle est endommagé ou incomplet.</translation>
    </message>
    <message>
        <source>This is not a GGUF model file.</source>
        <translation>Ce n’est pas un fichier de modèle GGUF.</translation>
    </message>
    <message>
        <source>This GGUF version is not supported.</source>
        <translation>Cette version de GGUF n’est pas prise en charge.</translation>
    </message>
    <message>
        <source>The model&apos;s chat template was refused for safety.</source>
        <translation>Le modèle de conversation du modèle a été refusé par sécurité.</translation>
    </message>
    <message>
        <source>The model could not be copied into the data folder.</source>
        <translation>Le modèle n’a pas pu être copié dans le dossier de données.</translation>
    </message>
    <message>
        <source>Strict offline mode is on: downloads are disabled.</source>
        <translation>Le mode hors ligne strict est activé : les téléchargements sont désactivés.</translation>
    </message>
    <message>
        <source>The download failed. Check the connection and try again; it resumes where it stopped.</source>
        <translation>Le téléchargement a échoué. Vérifiez la connexion et réessayez ; il reprendra là où il s’est arrêté.</translation>
    </message>
    <message>
        <source>Download cancelled. It resumes where it stopped next time.</source>
        <translation>Téléchargement annulé. Il reprendra là où il s’est arrêté la prochaine fois.</translation>
    </message>
    <message>
        <source>The downloaded file does not match its checksum and was deleted.</source>
        <translation>Le fichier téléchargé ne correspond pas à sa somme de contrôle et a été supprimé.</translation>
    </message>
    <message>
        <source>The download could not be verified and was not installed.</source>
        <translation>Le téléchargement n’a pas pu être vérifié et n’a pas été installé.</translation>
    </message>
    <message>
        <source>The embedding model is missing. Reinstall Lanterne or choose another embedder.</source>
        <translation>Le modèle d’embeddings est introuvable. Réinstallez Lanterne ou choisissez un autre modèle d’embeddings.</translation>
    </message>
    <message>
        <source>The embedding model could not be loaded.</source>
        <translation>Le modèle d’embeddings n’a pas pu être chargé.</translation>
    </message>
    <message>
        <source>This input is not valid.</source>
        <translation>Cette saisie n’est pas valide.</translation>
    </message>
    <message>
        <source>Lanterne&apos;s index or catalog was damaged while it ran and has been repaired; indexing goes on.</source>
        <translation>L’index ou le catalogue de Lanterne a été endommagé pendant son fonctionnement et a été réparé ; l’indexation continue.</translation>
    </message>
    <message>
        <source>Indexing hit a problem; Lanterne is repairing its index and will try again in a moment.</source>
        <translation>L’indexation a rencontré un problème ; Lanterne répare son index et réessaiera dans un instant.</translation>
    </message>
    <message>
        <source>The search index is being rebuilt from your documents; search again in a moment.</source>
        <translation>L’index de recherche est en cours de reconstruction à partir de vos documents ; relancez la recherche dans un instant.</translation>
    </message>
    <message>
        <source>The answer engine set in Settings cannot be reached. Check that it is running, or clear its address to answer with the model on this computer.</source>
        <translation>Le moteur de réponses indiqué dans les Réglages est injoignable. Vérifiez qu’il fonctionne, ou effacez son adresse pour répondre avec le modèle de cet ordinateur.</translation>
    </message>
    <message>
        <source>The answer engine set in Settings refused the question.</source>
        <translation>Le moteur de réponses indiqué dans les Réglages a refusé la question.</translation>
    </message>
    <message>
        <source>The answer engine&apos;s API key is missing: set the environment variable named in Settings.</source>
        <translation>La clé d’API du moteur de réponses manque : définissez la variable d’environnement indiquée dans les Réglages.</translation>
    </message>
    <message>
        <source>The answer engine&apos;s address is not a valid http(s) URL.</source>
        <translation>L’adresse du moteur de réponses n’est pas une URL http(s) valide.</translation>
    </message>
    <message>
        <source>The Lanterne server cannot be reached (network, or the server is stopped). This computer&apos;s collections work as usual.</source>
        <translation>Le serveur Lanterne est injoignable (réseau, ou serveur arrêté). Les collections de cet ordinateur fonctionnent normalement.</translation>
    </message>
    <message>
        <source>The Lanterne server refused the access token. Ask whoever runs it for a new one and enter it in Settings.</source>
        <translation>Le serveur Lanterne a refusé le jeton d’accès. Demandez-en un nouveau à la personne qui le gère et saisissez-le dans les Réglages.</translation>
    </message>
    <message>
        <source>The Lanterne server could not answer this request.</source>
        <translation>Le serveur Lanterne n’a pas pu répondre à cette demande.</translation>
    </message>
    <message>
        <source>The Lanterne server&apos;s address is not a valid http(s) URL.</source>
        <translation>L’adresse du serveur Lanterne n’est pas une URL http(s) valide.</translation>
    </message>
    <message>
        <source>No Lanterne server is set: add its address and token in Settings.</source>
        <translation>Aucun serveur Lanterne n’est configuré : ajoutez son adresse et son jeton dans les Réglages.</translation>
    </message>
    <message>
        <source>Strict offline mode is on: only a Lanterne server on this computer can be used.</source>
        <translation>Le mode hors ligne strict est activé : seul un serveur Lanterne sur cet ordinateur peut être utilisé.</translation>
    </message>
    <message>
        <source>Ask the Lanterne server&apos;s collections and this computer&apos;s in separate questions.</source>
        <translation>Interrogez les collections du serveur Lanterne et celles de cet ordinateur dans des questions séparées.</translation>
    </message>
    <message>
        <source>row {0}</source>
        <translation>ligne {0}</translation>
    </message>
    <message>
        <source>rows {0}–{1}</source>
        <translation>lignes {0} à {1}</translation>
    </message>
    <message>
        <source>sheet “{0}”, {1}</source>
        <translation>feuille « {0} », {1}</translation>
    </message>
    <message>
        <source>page {0}</source>
        <translation>page {0}</translation>
    </message>
    <message>
        <source>Something went wrong. The details are in the log file; nothing was lost.</source>
        <translation>Un problème est survenu. Les détails sont dans le journal ; rien n’est perdu.</translation>
    </message>
    <message>
        <source>Password protected: Lanterne cannot open it.</source>
        <translation>Protégé par mot de passe : Lanterne ne peut pas l’ouvrir.</translation>
    </message>
    <message>
        <source>Scanned document: text recognition is turned off in Settings.</source>
        <translation>Document numérisé : la reconnaissance de texte est désactivée dans les Réglages.</translation>
    </message>
    <message>
        <source>Scanned document or image: the text recognition models are not installed.</source>
        <translation>Document numérisé ou image : les modèles de reconnaissance de texte ne sont pas installés.</translation>
    </message>
    <message>
        <source>Scanned document: no text could be recognised on its pages.</source>
        <translation>Document numérisé : aucun texte n’a pu être reconnu sur ses pages.</translation>
    </message>
    <message>
        <source>Image: text recognition is turned off in Settings.</source>
        <translation>Image : la reconnaissance de texte est désactivée dans les Réglages.</translation>
    </message>
    <message>
        <source>Image too small to hold readable text.</source>
        <translation>Image trop petite pour contenir du texte lisible.</translation>
    </message>
    <message>
        <source>No text was recognised in this image.</source>
        <translation>Aucun texte n’a été reconnu dans cette image.</translation>
    </message>
    <message>
        <source>No text found in this document.</source>
        <translation>Aucun texte trouvé dans ce document.</translation>
    </message>
    <message>
        <source>Empty file.</source>
        <translation>Fichier vide.</translation>
    </message>
    <message>
        <source>Unsupported format ({ext}).</source>
        <translation>Format non pris en charge ({ext}).</translation>
    </message>
    <message>
        <source>Too large ({size_mb} MB; the limit is {limit_mb} MB in Settings).</source>
        <translation>Trop volumineux ({size_mb} Mo ; la limite est de {limit_mb} Mo dans les Réglages).</translation>
    </message>
    <message>
        <source>Too large: reading it needs more memory than Lanterne allows.</source>
        <translation>Trop volumineux : sa lecture demande plus de mémoire que Lanterne n’en autorise.</translation>
    </message>
    <message>
        <source>Unsupported format.</source>
        <translation>Format non pris en charge.</translation>
    </message>
    <message>
        <source>Damaged file: it cannot be read. Try opening and saving it again.</source>
        <translation>Fichier endommagé : il est illisible. Essayez de l’ouvrir et de l’enregistrer à nouveau.</translation>
    </message>
    <message>
        <source>Refused for safety (the file looks like a decompression bomb or holds unsafe content).</source>
        <translation>Refusé par sécurité (le fichier ressemble à une bombe de décompression ou contient des éléments dangereux).</translation>
    </message>
    <message>
        <source>Permission denied: Lanterne cannot read this file.</source>
        <translation>Accès refusé : Lanterne ne peut pas lire ce fichier.</translation>
    </message>
    <message>
        <source>The file disappeared before it could be read.</source>
        <translation>Le fichier a disparu avant d’avoir pu être lu.</translation>
    </message>
    <message>
        <source>Reading this file took too long.</source>
        <translation>La lecture de ce fichier a pris trop de temps.</translation>
    </message>
    <message>
        <source>Shortcut (symbolic link) to a file outside this folder: not followed, for privacy.</source>
        <translation>Raccourci (lien symbolique) vers un fichier hors de ce dossier : non suivi, par confidentialité.</translation>
    </message>
    <message>
        <source>Too large for a text document.</source>
        <translation>Trop volumineux pour un document texte.</translation>
    </message>
    <message>
        <source>The reader crashed on this file (damaged or hostile content).</source>
        <translation>Le lecteur a planté sur ce fichier (contenu endommagé ou malveillant).</translation>
    </message>
    <message>
        <source>This file could not be read.</source>
        <translation>Ce fichier n’a pas pu être lu.</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>Échec.</translation>
    </message>
    <message>
        <source>{0} s</source>
        <translation>{0} s</translation>
    </message>
    <message>
        <source>{0} min</source>
        <translation>{0} min</translation>
    </message>
    <message>
        <source>{0} h {1} min</source>
        <translation>{0} h {1} min</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>{0} languages, including {1}</source>
        <translation>{0} langues, dont {1}</translation>
    </message>
    <message>
        <source>Writes good French and runs well on this computer ({0} of memory, {1} cores{2}).</source>
        <translation>Écrit un bon français et tourne bien sur cet ordinateur ({0} de mémoire, {1} cœurs{2}).</translation>
    </message>
    <message>
        <source>The best model this computer runs at a comfortable speed without a graphics card ({1} cores).</source>
        <translation>Le meilleur modèle que cet ordinateur fait tourner à une vitesse confortable sans carte graphique ({1} cœurs).</translation>
    </message>
    <message>
        <source>The best model that fits in this computer&apos;s memory ({0}).</source>
        <translation>Le meilleur modèle qui tient dans la mémoire de cet ordinateur ({0}).</translation>
    </message>
    <message>
        <source>The best model that fits in the free disk space ({3}).</source>
        <translation>Le meilleur modèle qui tient dans l’espace disque libre ({3}).</translation>
    </message>
    <message>
        <source>This computer has too little memory for the catalog&apos;s models; the demonstration model stays.</source>
        <translation>Cet ordinateur a trop peu de mémoire pour les modèles du catalogue ; le modèle de démonstration reste en place.</translation>
    </message>
    <message>
        <source>, graphics card</source>
        <translation>, carte graphique</translation>
    </message>
    <message>
        <source>bundled (demo)</source>
        <translation>fourni (démo)</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>importé</translation>
    </message>
    <message>
        <source>linked</source>
        <translation>lié</translation>
    </message>
    <message>
        <source>downloaded</source>
        <translation>téléchargé</translation>
    </message>
    <message>
        <source>Import a GGUF model</source>
        <translation>Importer un modèle GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>Modèles GGUF (*.gguf);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Model “{0}” imported. Choose it in a conversation or click Use.</source>
        <translation>Modèle « {0} » importé. Choisissez-le dans une conversation ou cliquez sur Utiliser.</translation>
    </message>
    <message>
        <source>Remove model</source>
        <translation>Supprimer le modèle</translation>
    </message>
    <message>
        <source>Remove “{0}”? Its file in the data folder is deleted.</source>
        <translation>Supprimer « {0} » ? Son fichier dans le dossier de données sera effacé.</translation>
    </message>
    <message>
        <source>{0} — recommended for this computer</source>
        <translation>{0} — recommandé pour cet ordinateur</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installés</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Télécharger</translation>
    </message>
    <message>
        <source>Download {0}</source>
        <translation>Télécharger {0}</translation>
    </message>
    <message>
        <source>Cancel the download (it resumes later)</source>
        <translation>Annuler le téléchargement (il reprendra plus tard)</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>Annuler le téléchargement</translation>
    </message>
    <message>
        <source>Download finished: the model is ready.</source>
        <translation>Téléchargement terminé : le modèle est prêt.</translation>
    </message>
    <message>
        <source>Choose a sentence-transformers model folder</source>
        <translation>Choisir un dossier de modèle sentence-transformers</translation>
    </message>
    <message>
        <source>Change the embedder</source>
        <translation>Changer de modèle d’embeddings</translation>
    </message>
    <message>
        <source>Every document will be read and embedded again with the new model. This can take a long time. Continue?</source>
        <translation>Tous les documents seront relus et vectorisés à nouveau avec le nouveau modèle. Cela peut prendre longtemps. Continuer ?</translation>
    </message>
    <message>
        <source>Models — Lanterne</source>
        <translation>Modèles — Lanterne</translation>
    </message>
    <message>
        <source>Catalog</source>
        <translation>Catalogue</translation>
    </message>
    <message>
        <source>Search model</source>
        <translation>Modèle de recherche</translation>
    </message>
    <message>
        <source>Embedder</source>
        <translation>Embeddings</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantification</translation>
    </message>
    <message>
        <source>RAM needed</source>
        <translation>Mémoire nécessaire</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Contexte</translation>
    </message>
    <message>
        <source>Origin</source>
        <translation>Origine</translation>
    </message>
    <message>
        <source>Download size</source>
        <translation>Taille du téléchargement</translation>
    </message>
    <message>
        <source>Languages</source>
        <translation>Langues</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Licence</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>Utiliser</translation>
    </message>
    <message>
        <source>Import GGUF…</source>
        <translation>Importer un GGUF…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Installed models</source>
        <translation>Modèles installés</translation>
    </message>
    <message>
        <source>Model catalog</source>
        <translation>Catalogue de modèles</translation>
    </message>
    <message>
        <source>Strict offline mode is on: downloads are disabled. Turn it off in Settings to download a model, or import a GGUF file you already have.</source>
        <translation>Le mode hors ligne strict est activé : les téléchargements sont désactivés. Désactivez-le dans les Réglages pour télécharger un modèle, ou importez un fichier GGUF que vous avez déjà.</translation>
    </message>
    <message>
        <source>Stronger models answer better. Downloads come from Hugging Face, resume if interrupted, and are checked before use. Nothing else is sent.</source>
        <translation>Les modèles plus puissants répondent mieux. Les téléchargements viennent de Hugging Face, reprennent s’ils sont interrompus et sont vérifiés avant usage. Rien d’autre n’est envoyé.</translation>
    </message>
    <message>
        <source>The embedder turns passages into vectors for search. The default (all-MiniLM-L6-v2) comes with the app. You can use another sentence-transformers model folder on this computer.</source>
        <translation>Le modèle d’embeddings transforme les passages en vecteurs pour la recherche. Celui par défaut (all-MiniLM-L6-v2) est fourni avec l’application. Vous pouvez utiliser un autre dossier de modèle sentence-transformers présent sur cet ordinateur.</translation>
    </message>
    <message>
        <source>Choose folder…</source>
        <translation>Choisir un dossier…</translation>
    </message>
    <message>
        <source>Changing the embedder re-indexes every document.</source>
        <translation>Changer de modèle d’embeddings réindexe tous les documents.</translation>
    </message>
    <message>
        <source>Apply and re-index</source>
        <translation>Appliquer et réindexer</translation>
    </message>
</context>
<context>
    <name>PreviewDialog</name>
    <message>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <source>This file is no longer at {0}.</source>
        <translation>Ce fichier n’est plus à l’emplacement {0}.</translation>
    </message>
    <message>
        <source>This document cannot be shown here. Use “Open with default app”.</source>
        <translation>Ce document ne peut pas être affiché ici. Utilisez « Ouvrir avec l’application par défaut ».</translation>
    </message>
    <message>
        <source>{0} — Lanterne</source>
        <translation>{0} — Lanterne</translation>
    </message>
    <message>
        <source>Preview — Lanterne</source>
        <translation>Aperçu — Lanterne</translation>
    </message>
    <message>
        <source>page {0}</source>
        <translation>page {0}</translation>
    </message>
    <message>
        <source>Open with default app</source>
        <translation>Ouvrir avec l’application par défaut</translation>
    </message>
    <message>
        <source>Read the whole document</source>
        <translation>Lire le document en entier</translation>
    </message>
    <message>
        <source>Pin this document to the conversation: the next questions read it whole</source>
        <translation>Épingler ce document à la conversation : les prochaines questions le liront en entier</translation>
    </message>
    <message>
        <source>Previous page</source>
        <translation>Page précédente</translation>
    </message>
    <message>
        <source>Next page</source>
        <translation>Page suivante</translation>
    </message>
    <message>
        <source>{0} / {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <source>Page image with the cited passage highlighted</source>
        <translation>Image de la page avec le passage cité surligné</translation>
    </message>
</context>
<context>
    <name>ProblemsDialog</name>
    <message>
        <source>Problems — Lanterne</source>
        <translation>Problèmes — Lanterne</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Raison</translation>
    </message>
    <message>
        <source>Collection</source>
        <translation>Collection</translation>
    </message>
    <message>
        <source>1 file could not be indexed. The reason is below; fix the file and choose Retry.</source>
        <translation>1 fichier n’a pas pu être indexé. La raison est indiquée ci-dessous ; corrigez le fichier puis choisissez Réessayer.</translation>
    </message>
    <message>
        <source>{0} files could not be indexed. Their reasons are below; fix the file and choose Retry.</source>
        <translation>{0} fichiers n’ont pas pu être indexés. Les raisons sont indiquées ci-dessous ; corrigez le fichier puis choisissez Réessayer.</translation>
    </message>
    <message>
        <source>No problems: every file was indexed.</source>
        <translation>Aucun problème : tous les fichiers ont été indexés.</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Réessayer</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>Afficher dans le dossier</translation>
    </message>
    <message>
        <source>Files that could not be indexed</source>
        <translation>Fichiers qui n’ont pas pu être indexés</translation>
    </message>
</context>
<context>
    <name>ProgressPanel</name>
    <message>
        <source>Resume</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Looking for changes in “{0}”…</source>
        <translation>Recherche de modifications dans « {0} »…</translation>
    </message>
    <message>
        <source>Preparing semantic search in “{0}”</source>
        <translation>Préparation de la recherche sémantique dans « {0} »</translation>
    </message>
    <message>
        <source>{0} of {1} passages · keyword search already works</source>
        <translation>{0} passages sur {1} · la recherche par mots-clés fonctionne déjà</translation>
    </message>
    <message>
        <source>Paused: “{0}”</source>
        <translation>En pause : « {0} »</translation>
    </message>
    <message>
        <source>Indexing “{0}”</source>
        <translation>Indexation de « {0} »</translation>
    </message>
    <message>
        <source>{0} of {1} files</source>
        <translation>{0} fichiers sur {1}</translation>
    </message>
    <message>
        <source>{0} files/s</source>
        <translation>{0} fichiers/s</translation>
    </message>
    <message>
        <source>time left: {0}</source>
        <translation>temps restant : {0}</translation>
    </message>
    <message>
        <source>{0} — text recognition: page {1}/{2}</source>
        <translation>{0} — reconnaissance de texte : page {1}/{2}</translation>
    </message>
    <message numerus="yes">
        <source>%n scanned document(s) waiting for text recognition</source>
        <translation>
            <numerusform>%n document numérisé en attente de reconnaissance de texte</numerusform>
            <numerusform>%n documents numérisés en attente de reconnaissance de texte</numerusform>
        </translation>
    </message>
    <message>
        <source>1 problem</source>
        <translation>1 problème</translation>
    </message>
    <message>
        <source>{0} problems</source>
        <translation>{0} problèmes</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message numerus="yes">
        <source>Connected: %Ln collection(s) shared with you.</source>
        <translation>
            <numerusform>Connecté : %Ln collection partagée avec vous.</numerusform>
            <numerusform>Connecté : %Ln collections partagées avec vous.</numerusform>
        </translation>
    </message>
    <message>
        <source>Settings — Lanterne</source>
        <translation>Réglages — Lanterne</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Général</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Thème</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Système</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Clair</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Sombre</translation>
    </message>
    <message>
        <source>Closing the window keeps Lanterne watching folders in the background</source>
        <translation>Fermer la fenêtre laisse Lanterne surveiller les dossiers en arrière-plan</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Dossier de données</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Ouvrir</translation>
    </message>
    <message>
        <source>Indexing</source>
        <translation>Indexation</translation>
    </message>
    <message>
        <source>Cores for reading files</source>
        <translation>Cœurs pour la lecture des fichiers</translation>
    </message>
    <message>
        <source>Skip files larger than</source>
        <translation>Ignorer les fichiers de plus de</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> Mo</translation>
    </message>
    <message>
        <source>Files and folders to skip, per folder (one pattern per line: * stands for any characters, a name ending with / is a folder; hidden and temporary files are always skipped):</source>
        <translation>Fichiers et dossiers à ignorer, par dossier (un motif par ligne : * remplace n’importe quels caractères, un nom terminé par / désigne un dossier ; les fichiers cachés et temporaires sont toujours ignorés) :</translation>
    </message>
    <message>
        <source>Advanced: answers</source>
        <translation>Avancé : réponses</translation>
    </message>
    <message>
        <source>Graphics card use (−1: automatic, 0: processor only)</source>
        <translation>Utilisation de la carte graphique (−1 : automatique, 0 : processeur seul)</translation>
    </message>
    <message>
        <source>How many layers of the model the graphics card computes. Automatic uses the graphics card when Lanterne was built with support for it.</source>
        <translation>Nombre de couches du modèle calculées par la carte graphique. « Automatique » utilise la carte graphique quand Lanterne a été construit avec sa prise en charge.</translation>
    </message>
    <message>
        <source>Text the model reads at once (0: automatic)</source>
        <translation>Texte lu d’un coup par le modèle (0 : automatique)</translation>
    </message>
    <message>
        <source>In tokens, pieces of words (about ¾ of a word each). Automatic picks what the model and this computer&apos;s memory allow.</source>
        <translation>En « tokens », des morceaux de mots (environ ¾ de mot chacun). « Automatique » choisit ce que le modèle et la mémoire de cet ordinateur permettent.</translation>
    </message>
    <message>
        <source>Passages read for each answer</source>
        <translation>Passages lus pour chaque réponse</translation>
    </message>
    <message>
        <source>for example: Archives/
*.bak</source>
        <translation>par exemple : Archives/
*.bak</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
    </message>
    <message>
        <source>Exclusion patterns</source>
        <translation>Motifs d’exclusion</translation>
    </message>
    <message>
        <source>Watched folders</source>
        <translation>Dossiers surveillés</translation>
    </message>
    <message>
        <source>Read the text of scans and photos (text recognition)</source>
        <translation>Lire le texte des documents numérisés et des photos (reconnaissance de texte)</translation>
    </message>
    <message>
        <source>Languages of the scans</source>
        <translation>Langues des documents numérisés</translation>
    </message>
    <message>
        <source>Languages installed for text recognition. Fewer languages read faster.</source>
        <translation>Langues installées pour la reconnaissance de texte. Moins de langues, lecture plus rapide.</translation>
    </message>
    <message>
        <source>Lanterne server</source>
        <translation>Serveur Lanterne</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Adresse du serveur</translation>
    </message>
    <message>
        <source>for example: https://server.office.lan:8765</source>
        <translation>par exemple : https://serveur.bureau.lan:8765</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>Jeton d’accès</translation>
    </message>
    <message>
        <source>The office machine running `lanterne serve`. Its shared collections appear in the sidebar beside this computer&apos;s. Leave empty to use none.</source>
        <translation>La machine du bureau qui exécute « lanterne serve ». Ses collections partagées apparaissent dans le panneau latéral à côté de celles de cet ordinateur. Laissez vide pour n’en utiliser aucun.</translation>
    </message>
    <message>
        <source>Lanterne server address</source>
        <translation>Adresse du serveur Lanterne</translation>
    </message>
    <message>
        <source>saved (type a new one to replace it)</source>
        <translation>enregistré (saisissez-en un nouveau pour le remplacer)</translation>
    </message>
    <message>
        <source>given by whoever runs the server</source>
        <translation>fourni par la personne qui gère le serveur</translation>
    </message>
    <message>
        <source>Lanterne server access token</source>
        <translation>Jeton d’accès au serveur Lanterne</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <source>Privacy and support</source>
        <translation>Confidentialité et assistance</translation>
    </message>
    <message>
        <source>Strict offline: never connect to the network, not even to download a model</source>
        <translation>Hors ligne strict : ne jamais se connecter au réseau, même pour télécharger un modèle</translation>
    </message>
    <message>
        <source>Open logs folder</source>
        <translation>Ouvrir le dossier des journaux</translation>
    </message>
    <message>
        <source>Copy diagnostics</source>
        <translation>Copier le diagnostic</translation>
    </message>
    <message>
        <source>Copies versions and settings (no document content) for a support request</source>
        <translation>Copie les versions et les réglages (sans contenu de document) pour une demande d’assistance</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Welcome to Lanterne</source>
        <translation>Bienvenue dans Lanterne</translation>
    </message>
    <message>
        <source>Add your documents</source>
        <translation>Ajoutez vos documents</translation>
    </message>
    <message>
        <source>Lanterne answers questions from your own documents and cites the passages it used. Everything stays on this computer: your files, the index and the conversations are never sent anywhere.</source>
        <translation>Lanterne répond aux questions à partir de vos propres documents et cite les passages utilisés. Tout reste sur cet ordinateur : vos fichiers, l’index et les conversations ne sont jamais envoyés nulle part.</translation>
    </message>
    <message>
        <source>Drop a folder here</source>
        <translation>Déposez un dossier ici</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Ajouter un dossier…</translation>
    </message>
    <message>
        <source>The models are ready. The bundled model is a small demonstration: its answers are often wrong. For real answers, get a stronger model (Llama 3.2 3B, Mistral 7B…) in Models.</source>
        <translation>Les modèles sont prêts. Le modèle fourni est une petite démonstration : ses réponses sont souvent fausses. Pour de vraies réponses, installez un modèle plus solide (Llama 3.2 3B, Mistral 7B…) dans Modèles.</translation>
    </message>
    <message>
        <source>The language model could not be loaded; search still works. Choose another model in Models.</source>
        <translation>Le modèle de langue n’a pas pu être chargé ; la recherche fonctionne toujours. Choisissez un autre modèle dans Modèles.</translation>
    </message>
    <message>
        <source>The models are loading; you can add folders meanwhile. The bundled model is a small demonstration: for real answers, get a stronger model in Models.</source>
        <translation>Chargement des modèles ; vous pouvez déjà ajouter des dossiers. Le modèle fourni est une petite démonstration : pour de vraies réponses, installez un modèle plus solide dans Modèles.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Recommended for this computer: {0}&lt;/b&gt;&lt;br&gt;{1}</source>
        <translation>&lt;b&gt;Recommandé pour cet ordinateur : {0}&lt;/b&gt;&lt;br&gt;{1}</translation>
    </message>
    <message>
        <source>Download {0} ({1})</source>
        <translation>Télécharger {0} ({1})</translation>
    </message>
    <message>
        <source>Continue with the demonstration model</source>
        <translation>Continuer avec le modèle de démonstration</translation>
    </message>
</context>
</TS>
