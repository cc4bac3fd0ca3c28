#!/usr/bin/env bash
# docx.sh writes corpora's documents as Word documents (<corpus>/document.docx,
# evaluated as <corpus>-docx), as an operator who has a document only in
# Word would feed it to knowledge.sources, and gcloud's as OpenDocument
# text too (gcloud/document.odt, gcloud-odt). pep1's and ghsponsors' are
# also written as if typed without heading styles (<corpus>/bold.docx,
# <corpus>-bold): each heading a plain paragraph in bold, the title too. Two writers of .docx, so that
# the reader is held to more than one's habits: pandoc writes pep1,
# ghsponsors and cncfcharter from their reStructuredText or Markdown (its
# styles: Title, Heading 1-6, tables, lists); LibreOffice writes gcloud
# from its HTML read as a web page (its styles: Heading 1-6, lists; the
# page's title in the document's properties).
#
# Needs pandoc, LibreOffice and Python 3 (Debian: pandoc
# libreoffice-writer-nogui python3).
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
for c in pep1 ghsponsors; do
	python3 - "$c/document.docx" "$c/bold.docx" <<'PY'
import re, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
zin, zout = zipfile.ZipFile(src), zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED)
heading = r'<w:pStyle w:val="(Heading\d|Title)"\s*/>'
def unstyle(m):
    p = m.group(0)
    if not re.search(heading, p):
        return p
    p = re.sub(heading, "", p)
    p = re.sub(r"<w:r>(?!<w:rPr>)", "<w:r><w:rPr><w:b/></w:rPr>", p)
    return re.sub(r"<w:r><w:rPr>(?!<w:b/>)", "<w:r><w:rPr><w:b/>", p)
for item in zin.infolist():
    data = zin.read(item.filename)
    if item.filename == "word/document.xml":
        data = re.sub(r"<w:p>.*?</w:p>|<w:p [^>]*>.*?</w:p>", unstyle, data.decode(), flags=re.S).encode()
    zout.writestr(item, data)
zout.close()
PY
done
