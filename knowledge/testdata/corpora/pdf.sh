#!/usr/bin/env bash
# pdf.sh writes corpora's documents as PDF files (<corpus>/document.pdf,
# evaluated as <corpus>-pdffile), rendered as pdftext.sh renders them
# (pandoc to one HTML page, LibreOffice to PDF), for the bot to read
# itself, as an operator who has only a document's PDF would name it in
# knowledge.sources. (beipa/document.pdf is the publisher's own PDF, not
# made here: see beipa/SOURCE.md.) The fonts of the machine that renders
# them set where lines break, so these are not the PDFs the extracted.txt
# files were taken from.
#
# Needs pandoc and LibreOffice (Debian: pandoc libreoffice-writer-nogui).
# Run from this folder:
#
#	bash pdf.sh
#
# Made with pandoc 2.17 and LibreOffice 7.4.7 (Debian 12).
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in rfq18f gcloud cncfcharter; do
	if [[ -f $c/document.md ]]; then
		pandoc --quiet -f gfm -t html -s --metadata pagetitle="$c" "$c/document.md" -o "$work/$c.html"
	else
		pandoc --quiet -f html -t html -s --metadata pagetitle="$c" "$c/document.html" -o "$work/$c.html"
	fi
	(cd "$work" && soffice --headless --convert-to pdf:writer_web_pdf_Export "$c.html" >/dev/null 2>&1)
	cp "$work/$c.pdf" "$c/document.pdf"
done
