#!/usr/bin/env bash
# docx.sh writes corpora's documents as Word documents (<corpus>/document.docx,
# evaluated as <corpus>-docx), as an operator who has a document only in
# Word would feed it to knowledge.sources, and gcloud's as OpenDocument
# text too (gcloud/document.odt, gcloud-odt). Two writers of .docx, so that
# the reader is held to more than one's habits: pandoc writes pep1,
# ghsponsors and cncfcharter from their reStructuredText or Markdown (its
# styles: Title, Heading 1-6, tables, lists); LibreOffice writes gcloud
# from its HTML read as a web page (its styles: Heading 1-6, lists; the
# page's title in the document's properties).
#
# Needs pandoc and LibreOffice (Debian: pandoc libreoffice-writer-nogui).
# Run from this folder:
#
#	bash docx.sh
#
# Made with pandoc 2.17 and LibreOffice 7.4.7 (Debian 12).
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pandoc --quiet -f rst -t docx pep1/document.rst -o pep1/document.docx
for c in ghsponsors cncfcharter; do
	pandoc --quiet -f gfm -t docx "$c/document.md" -o "$c/document.docx"
done
cp gcloud/document.html "$work/gcloud.html"
(cd "$work" && soffice --headless --infilter="HTML (StarWriter)" --convert-to docx:"MS Word 2007 XML" gcloud.html >/dev/null 2>&1)
(cd "$work" && soffice --headless --infilter="HTML (StarWriter)" --convert-to odt gcloud.html >/dev/null 2>&1)
cp "$work/gcloud.docx" gcloud/document.docx
cp "$work/gcloud.odt" gcloud/document.odt
