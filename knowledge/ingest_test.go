package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestSourcePassages checks what each kind of source becomes: titles and
// citations carry the heading path, markup is gone, tables are rows.
func TestSourcePassages(t *testing.T) {
	tests := []struct {
		name, file, text string
		want             []passage // citation, title and text only
	}{
		{"heading path", "rfq.md", "# 9 Evaluation\n## 9.3 Oral interview\n### 9.3.3 Location\nAt GSA, 1800 F St.\n",
			[]passage{{citation: "rfq.md: 9 Evaluation › 9.3 Oral interview › 9.3.3 Location", title: "9.3.3 Location", text: "At GSA, 1800 F St."}}},
		{"no space after the hashes", "rfq.md", "##1.0 BACKGROUND\nFedRAMP is a programme.\n",
			[]passage{{citation: "rfq.md: 1.0 BACKGROUND", title: "1.0 BACKGROUND", text: "FedRAMP is a programme."}}},
		{"empty heading falls back to its parent", "a.md", "# Fees\n## \nNo fee is charged.\n",
			[]passage{{citation: "a.md: Fees", title: "Fees", text: "No fee is charged."}}},
		{"emphasis, links and images", "a.md", "# **Key** [dates](http://x)\nQuotes are due **8 April** via [eBuy](https://ebuy.gsa.gov) ![logo](l.png) and `portal`.\n",
			[]passage{{citation: "a.md: Key dates", title: "Key dates", text: "Quotes are due 8 April via eBuy logo and portal."}}},
		{"inline HTML and entities", "a.md", "# Terms\n<span class=\"underline\">Payment</span> within 30 days &amp; no fees&nbsp;apply.\n",
			[]passage{{citation: "a.md: Terms", title: "Terms", text: "Payment within 30 days & no fees apply."}}},
		{"HTML table in Markdown", "a.md", "# Deliverables\n<table><tr><th>Item</th><th>Due</th></tr><tr><td>Plan</td><td>Day 5</td></tr></table>\n",
			[]passage{{citation: "a.md: Deliverables", title: "Deliverables", text: "Item | Due\nPlan | Day 5"}}},
		{"pipe table", "a.md", "# Deliverables\n| Item | Due |\n|---|---|\n| Plan | Day 5 |\n",
			[]passage{{citation: "a.md: Deliverables", title: "Deliverables", text: "Item | Due\nPlan | Day 5"}}},
		{"rules drawn under headings and thematic breaks carry no words", "a.md", "### Location \n==================\nIn Washington.\n\n* * *\n\nBy video too.\n#### Part Two\n----------\nFollow-up questions.\n",
			[]passage{{citation: "a.md: Location", title: "Location", text: "In Washington.\nBy video too."}, {citation: "a.md: Location › Part Two", title: "Part Two", text: "Follow-up questions."}}},
		{"front matter title", "a.md", "---\ntitle: Why apply?\norder: 1\n---\nYou learn a lot.\n",
			[]passage{{citation: "a.md: Why apply?", title: "Why apply?", text: "You learn a lot."}}},
		{"opening text", "a.md", "Issued 30 March.\n# A\nb\n",
			[]passage{{citation: "a.md: opening text", title: "opening text", text: "Issued 30 March."}, {citation: "a.md: A", title: "A", text: "b"}}},
		{"HTML file", "guide.html", "<html><head><title>Buyers</title><script>x()</script></head><body><nav><a>Home</a></nav>{% block main %}<h2>1. Eligibility</h2><p>Public sector   bodies may buy.</p><ul><li>Councils</li></ul>{% endblock %}</body></html>",
			[]passage{{citation: "guide.html: Buyers › 1. Eligibility", title: "1. Eligibility", text: "Public sector bodies may buy.\nCouncils"}}},
		{"reStructuredText: section levels in the order their adornments first appear", "a.rst", "=====\nTitle\n=====\n\nIntro.\n\nSection\n=======\n\nText.\n\nSub\n---\n\nMore.\n\nOther\n====\n\nLast.\n",
			[]passage{{citation: "a.rst: Title", title: "Title", text: "Intro."}, {citation: "a.rst: Title › Section", title: "Section", text: "Text."},
				{citation: "a.rst: Title › Section › Sub", title: "Sub", text: "More."}, {citation: "a.rst: Title › Other", title: "Other", text: "Last."}}},
		{"reStructuredText: inline markup keeps its text, over a line break too", "a.rst", "Links\n=====\n\nSee :pep:`12`, :pep:`the template <12#x>` and the `Code of\nConduct <https://x/>`_, ``pep-0001.rst`` [#]_, `PEP editors`_ and |ci|.\n",
			[]passage{{citation: "a.rst: Links", title: "Links", text: "See PEP 12, the template and the Code of Conduct, pep-0001.rst, PEP editors and ci."}}},
		{"reStructuredText: directives, comments and targets", "a.rst", "Fees\n====\n\n.. image:: a.png\n   :alt: logo\n\n.. note:: No fee is charged.\n\n.. This is a comment\n   over two lines.\n\n.. _target: http://x\n\nPaid by <card>::\n\n    card only\n\n.. code-block:: text\n   :caption: Paying\n\n   pay()\n",
			[]passage{{citation: "a.rst: Fees", title: "Fees", text: "logo\nNo fee is charged.\nPaid by <card>:\ncard only\nPaying\npay()"}}},
		{"reStructuredText: tables and lists", "a.rst", "Dates\n=====\n\n=====  ======\nStep   Date\n=====  ======\nBids   19 Oct\n=====  ======\n\n+------+-----+\n| Fee  | Nil |\n+------+-----+\n\n* one\n* two\n\n#. three\n",
			[]passage{{citation: "a.rst: Dates", title: "Dates", text: "Step | Date\nBids | 19 Oct\nFee | Nil\none\ntwo\nthree"}}},
		{"plain text paragraphs", "notes.txt", "One.\nstill one.\n\nTwo.\n",
			[]passage{{citation: "notes.txt: paragraph 1", title: "paragraph 1", text: "One. still one."}, {citation: "notes.txt: paragraph 2", title: "paragraph 2", text: "Two."}}},
		{"plain text: numbered slides, numbers glued to titles", "deck.txt", "Title: Breakthrough\n1Welcome\n- Dr A Smith\n2Scope of work\n- Build the\ndashboard\n- Test it\n4Fees\nNone.\n",
			[]passage{{citation: "deck.txt: Breakthrough › 1 Welcome", title: "1 Welcome", text: "Dr A Smith"},
				{citation: "deck.txt: Breakthrough › 2 Scope of work", title: "2 Scope of work", text: "Build the dashboard\nTest it"},
				{citation: "deck.txt: Breakthrough › 4 Fees", title: "4 Fees", text: "None."}}},
		{"plain text: numbered subsections make a heading path", "rfq.txt", "1 Scope\nDashboards.\n2 Evaluation\nIn two phases.\n2.3 Oral interview\nOne hour.\n2.3.3 Location\nAt GSA.\n2.4 Award\nBy 1 May.\n",
			[]passage{{citation: "rfq.txt: 1 Scope", title: "1 Scope", text: "Dashboards."},
				{citation: "rfq.txt: 2 Evaluation", title: "2 Evaluation", text: "In two phases."},
				{citation: "rfq.txt: 2 Evaluation › 2.3 Oral interview", title: "2.3 Oral interview", text: "One hour."},
				{citation: "rfq.txt: 2 Evaluation › 2.3 Oral interview › 2.3.3 Location", title: "2.3.3 Location", text: "At GSA."},
				{citation: "rfq.txt: 2 Evaluation › 2.4 Award", title: "2.4 Award", text: "By 1 May."}}},
		{"plain text: a subsection right under its section is no list", "rfq.txt", "1 Scope\nDashboards.\n2 Operations\n2.1 Project management\nWeekly.\n",
			[]passage{{citation: "rfq.txt: 1 Scope", title: "1 Scope", text: "Dashboards."},
				{citation: "rfq.txt: 2 Operations › 2.1 Project management", title: "2.1 Project management", text: "Weekly."}}},
		{"plain text: a paragraph that ends with a colon goes with the next", "news.txt", "Dr A Smith said:\n\n\"We welcome bids.\"\n\nEnds.\n",
			[]passage{{citation: "news.txt: paragraph 1", title: "paragraph 1", text: "Dr A Smith said: \"We welcome bids.\""}, {citation: "news.txt: paragraph 2", title: "paragraph 2", text: "Ends."}}},
		{"plain text: a numbered list is not headings", "notes.txt", "Steps:\n1. Open the form\n2. Sign it\n\nThen send it.\n",
			[]passage{{citation: "notes.txt: paragraph 1", title: "paragraph 1", text: "Steps: 1. Open the form 2. Sign it"}, {citation: "notes.txt: paragraph 2", title: "paragraph 2", text: "Then send it."}}},
		{"plain text: a sentence that begins with a number is not a heading", "notes.txt", "1 September is the last day of dialogue.\n\nBids follow.\n",
			[]passage{{citation: "notes.txt: paragraph 1", title: "paragraph 1", text: "1 September is the last day of dialogue."}, {citation: "notes.txt: paragraph 2", title: "paragraph 2", text: "Bids follow."}}},
		{"plain text: sections numbered 5.0 in capitals open their subsections, and a missed section's first subsection opens it", "rfq.txt", "SCOPE\nWe build.\n5.0 OPERATIONS\nDaily.\n5.1 Project management\nWeekly.\n6.0 OTHER REQUIREMENTS\nSome.\n6.1 Type of contract\nFixed price.\n7.1 Content of invoice\nHours.\n",
			[]passage{{citation: "rfq.txt: SCOPE", title: "SCOPE", text: "We build."},
				{citation: "rfq.txt: 5.0 OPERATIONS", title: "5.0 OPERATIONS", text: "Daily."},
				{citation: "rfq.txt: 5.0 OPERATIONS › 5.1 Project management", title: "5.1 Project management", text: "Weekly."},
				{citation: "rfq.txt: 6.0 OTHER REQUIREMENTS", title: "6.0 OTHER REQUIREMENTS", text: "Some."},
				{citation: "rfq.txt: 6.0 OTHER REQUIREMENTS › 6.1 Type of contract", title: "6.1 Type of contract", text: "Fixed price."},
				{citation: "rfq.txt: 7.1 Content of invoice", title: "7.1 Content of invoice", text: "Hours."}}},
		{"plain text: a numbered list does not use up the section numbers", "rfq.txt", "Attachments\n1. Work statement\n2. Price template\n3. Rules\n\n1 Scope\nWe build.\n2 Fees\nNone.\n",
			[]passage{{citation: "rfq.txt: opening text", title: "opening text", text: "Attachments\nWork statement\nPrice template\nRules"},
				{citation: "rfq.txt: 1 Scope", title: "1 Scope", text: "We build."},
				{citation: "rfq.txt: 2 Fees", title: "2 Fees", text: "None."}}},
		{"plain text: a numbered line left unfinished is no heading, and a title wrapped onto the next line is whole", "deck.txt", "1 Scope\n- Dashboards\n2 Trained staff not responsive to needs of\nservice\n- Too few generalists\n3 In accordance with section 743 of the\nAct, funds may be withheld.\n",
			[]passage{{citation: "deck.txt: 1 Scope", title: "1 Scope", text: "Dashboards"},
				{citation: "deck.txt: 2 Trained staff not responsive to needs of service", title: "2 Trained staff not responsive to needs of service", text: "Too few generalists 3 In accordance with section 743 of the Act, funds may be withheld."}}},
		{"plain text: a clause's title run in with its text is its heading", "terms.txt", "Terms\n\n1. Ownership. The Company owns what you make at work.\n2. Your own projects. What you make in your own time is yours.\n",
			[]passage{{citation: "terms.txt: opening text", title: "opening text", text: "Terms"},
				{citation: "terms.txt: 1 Ownership", title: "1 Ownership", text: "The Company owns what you make at work."},
				{citation: "terms.txt: 2 Your own projects", title: "2 Your own projects", text: "What you make in your own time is yours."}}},
		{"plain text: an initial is no run-in title", "notes.txt", "1 J. Smith wrote the plan in May.\n\nIt was agreed.\n",
			[]passage{{citation: "notes.txt: paragraph 1", title: "paragraph 1", text: "1 J. Smith wrote the plan in May."}, {citation: "notes.txt: paragraph 2", title: "paragraph 2", text: "It was agreed."}}},
		{"plain text: HTML tags in a line go and character references are decoded", "notes.txt", "<h2>Hi</h2> 11 May 2009\nThe <b>deadline</b> is 19 Oct &amp; AT&T may bid.\n",
			[]passage{{citation: "notes.txt: paragraph 1", title: "paragraph 1", text: "Hi 11 May 2009 The deadline is 19 Oct & AT&T may bid."}}},
		{"plain text: keys and placeholders in angle brackets inside a line stay", "notes.txt", "Type ssh <username>@host and press <ENTER>, not <b>F1</b>.\n",
			[]passage{{citation: "notes.txt: paragraph 1", title: "paragraph 1", text: "Type ssh <username>@host and press <ENTER>, not F1."}}},
		{"plain text: a placeholder in angle brackets is text, not a tag", "rfq.txt", "Issued by\n<Insert Agency Name>\n</span>\n",
			[]passage{{citation: "rfq.txt: paragraph 1", title: "paragraph 1", text: "Issued by <Insert Agency Name>"}}},
		{"plain text: a script without capitals has no headings in capitals, and its full stops end sentences", "notes.txt", "申请须知\n本办法适用于所有申请人。\n\n截止日期\n申请截止日期为十月十九日。\n",
			[]passage{{citation: "notes.txt: paragraph 1", title: "paragraph 1", text: "申请须知 本办法适用于所有申请人。"}, {citation: "notes.txt: paragraph 2", title: "paragraph 2", text: "截止日期 申请截止日期为十月十九日。"}}},
		{"plain text: headings in capitals", "rfq.txt", "SCOPE OF WORK\nWe build dashboards.\nPAYMENT\nInvoices are paid monthly.\n",
			[]passage{{citation: "rfq.txt: SCOPE OF WORK", title: "SCOPE OF WORK", text: "We build dashboards."}, {citation: "rfq.txt: PAYMENT", title: "PAYMENT", text: "Invoices are paid monthly."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkPassages(t, sourcePassages(tt.file, tt.text), tt.want, "")
		})
	}
}

// TestPDFText checks how the text of a PDF (lines wrapped to the page,
// nothing marking headings or paragraphs) is read: a short line where a
// heading stands is one, lines of bullets and of HTML tags go, a page
// break inside a sentence does not cut it, and what only looks like a
// heading (a list of short lines, who said a quotation, a full line that
// begins with a number) is text.
func TestPDFText(t *testing.T) {
	// prose is n lines of a paragraph wrapped at about 90 characters, the
	// last ending a sentence.
	prose := func(topic string, n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			line := "The " + topic + " rules say what a supplier must do and when it must be done by them"
			if i == n-1 {
				line = "and that is all about " + topic + "."
			}
			b.WriteString(line + "\n")
		}
		return b.String()
	}
	text := "Eligibility\n" + prose("eligibility", 6) +
		"How to apply?\n" + prose("application", 5) +
		"The steps are:\n•\n•\nPhase 1: Compliance Check\nPhase 2: Written quotations\n" +
		"<p>\n" + prose("phase", 4) +
		"\"Quotations are read the day they come in.\"\nA. Smith, Contracting Officer\n" + prose("reading", 4) +
		"Payment\n1 The General Services Administration, Federal Acquisition Service (FAS), Acquisition\nOperations Division pays.\nInvoices are paid within thirty days of the date on which the supplier sends them, and the\n\n\f" +
		"agency pays by bank transfer only, to the account named in the contract between the parties.\n" + prose("payment", 5)
	ps := sourcePassages("rfq.txt", text)
	var cites []string
	for _, p := range ps {
		cites = append(cites, p.citation)
	}
	want := []string{"rfq.txt: Eligibility", "rfq.txt: How to apply?", "rfq.txt: Payment"}
	if !slices.Equal(cites, want) {
		t.Fatalf("citations %q, want %q", cites, want)
	}
	apply := ps[1].text
	for _, w := range []string{"The steps are:\nPhase 1: Compliance Check Phase 2: Written quotations", "A. Smith, Contracting Officer"} {
		if !strings.Contains(apply, w) {
			t.Errorf("section %q lacks %q:\n%s", ps[1].title, w, apply)
		}
	}
	if strings.ContainsAny(apply, "•<>") {
		t.Errorf("bullets or tags left in %q:\n%s", ps[1].title, apply)
	}
	if !strings.Contains(ps[2].text, "sends them, and the agency pays by bank transfer") {
		t.Errorf("the sentence cut by a page break is not whole:\n%s", ps[2].text)
	}
	// The paragraphs of a section are told apart by their short last
	// lines, with no blank line between them.
	if n := strings.Count(ps[0].text, "\n"); n != 0 {
		t.Errorf("Eligibility has %d paragraph breaks, want 0:\n%s", n, ps[0].text)
	}
	if n := strings.Count(ps[1].text, "\n"); n != 4 {
		t.Errorf("How to apply has %d paragraph breaks, want 4:\n%s", n, ps[1].text)
	}
}

// TestPlainTextShapes checks which lines of ordinary documents' text are
// read as headings: the shapes a reviewer found misread (a heading next
// to a numbered list, a table of contents, "Appendix A", numbered steps,
// abbreviations, a cover page's date, a title wrapped in capitals, dates
// at the start of lines, a script without capitals).
func TestPlainTextShapes(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // the passages' citations, less "x.txt: "
	}{
		{"parts numbered from 1 again under their titles", "1. Definitions.\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\nTerms for Developers\n1. Acceptable Use.\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\n1.1. The Program\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\n2. Payment Exclusions.\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\nTerms for Sponsors\n1. Sponsors Program.\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\n1.1 Description.\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n",
			[]string{"1 Definitions.", "Terms for Developers › 1 Acceptable Use.", "Terms for Developers › 1 Acceptable Use. › 1.1. The Program", "Terms for Developers › 2 Payment Exclusions.",
				"Terms for Sponsors › 1 Sponsors Program.", "Terms for Sponsors › 1 Sponsors Program. › 1.1 Description."}},
		{"a clause's title ends with a full stop, or wraps after a semicolon", "1 Terms\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\n2 Sponsored Developer Payment Exclusions.\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\n3. Representations and Warranties; Limitation of Liability;\nIndemnification.\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\n4. Send the signed form to the office.\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n",
			[]string{"1 Terms", "2 Sponsored Developer Payment Exclusions.", "3 Representations and Warranties; Limitation of Liability; Indemnification."}},
		{"a list under a heading is no part numbered anew, and the numbering goes on after it", "Invitation to Tender: Grounds Maintenance Services 2025-2028\n1. Introduction\nNorthfield District Council (the Council) invites tenders for the provision of grounds maintenance services across its parks, cemeteries and housing estates for an initial period of three years, with an option to extend for a further two years subject to satisfactory performance and the availability of budget.\nThis document sets out the information bidders need to prepare and submit a compliant tender, the way in which tenders will be evaluated and the timetable the Council intends to follow in awarding the contract.\n2. Background\nThe Council currently delivers grounds maintenance through an in-house team supported by a number of small contracts which expire on 31 March 2025. Following a review of the service, the Council has decided to let a single contract for the whole district in order to secure better value for money.\nThe successful contractor will be expected to work closely with the Council's parks officers and with local friends of parks groups, who carry out volunteer work on many of the sites included in the contract.\n3. Submission Requirements\nTenders must be submitted through the Council's e-tendering portal no later than 12 noon on Friday 14 February 2025. Tenders received after this time will not be considered, and the Council will not accept tenders sent by email or delivered by hand to its offices.\nDocuments to be returned\n1. Form of Tender. The Form of Tender must be completed in full and signed by a person authorised to commit the bidder to the contract, and a copy of that authority must be attached to it.\n2. Pricing Schedule. All prices must be entered in pounds sterling, exclusive of VAT, and must remain valid for a period of not less than 120 days from the closing date for tenders.\n3. Method Statements. Bidders must answer each of the quality questions in the Method Statement document, keeping to the word limits given for each question; text beyond the limit will not be read.\n4. Evaluation\nTenders will be evaluated on the basis of the most economically advantageous tender, with 60 per cent of the available marks awarded for price and 40 per cent for quality. The quality questions and the weighting given to each of them are set out in the Method Statement document.\nThe Council reserves the right to seek clarification of any aspect of a tender and to reject any tender which is incomplete, which contains qualifications to the terms of the contract or which is abnormally low.\n5. Timetable\nThe Council intends to notify bidders of the outcome of the evaluation in March 2025, followed by a standstill period of ten days, with the contract starting on 1 April 2025. These dates are indicative and may be changed by the Council at its discretion.\n6. TUPE\nBidders should be aware that the Transfer of Undertakings (Protection of Employment) Regulations 2006 are likely to apply to this contract, and information about the staff who may transfer has been provided in the data room on the portal.\n7. Clarification Questions\nAny questions about this invitation must be submitted through the messaging function of the portal no later than five working days before the closing date. Questions and answers will be shared with all bidders, without identifying the bidder who asked the question.\n8. Contact\nThe Council's contact for this procurement is the Procurement Team, Northfield District Council, Town Hall, Northfield. All communication about the tender must be made through the portal and not with other officers or members of the Council.\n",
			[]string{"opening text", "1 Introduction", "2 Background", "3 Submission Requirements", "4 Evaluation", "5 Timetable", "6 TUPE", "7 Clarification Questions", "8 Contact"}},
		{"a list of steps under a heading in wrapped text is no part", "Invitation to Tender: Grounds Maintenance Services 2025-2028\n1. Introduction\nNorthfield District Council (the Council) invites tenders for the provision of grounds\nmaintenance services across its parks, cemeteries and housing estates for an initial period of\nthree years, with an option to extend for a further two years subject to satisfactory\nperformance and the availability of budget.\nThis document sets out the information bidders need to prepare and submit a compliant tender,\nthe way in which tenders will be evaluated and the timetable the Council intends to follow in\nawarding the contract.\n2. Background\nThe Council currently delivers grounds maintenance through an in-house team supported by a\nnumber of small contracts which expire on 31 March 2025. Following a review of the service, the\nCouncil has decided to let a single contract for the whole district in order to secure better\nvalue for money.\nThe successful contractor will be expected to work closely with the Council's parks officers\nand with local friends of parks groups, who carry out volunteer work on many of the sites\nincluded in the contract.\n3. Scope of Services\nThe services include grass cutting, shrub and hedge maintenance, the care of flower beds,\nlitter picking in parks and the upkeep of paths and play areas, to the standards and\nfrequencies set out in the Specification that forms part of the tender pack.\n4. Contract Terms\nThe contract will be let on the Council's standard terms and conditions for services, a copy of\nwhich is included in the tender pack. Bidders should not propose changes to these terms, as\ntenders that do so may be rejected.\n5. Submission Requirements\nTenders must be submitted through the Council's e-tendering portal no later than 12 noon on\nFriday 14 February 2025. Tenders received after this time will not be considered, and the\nCouncil will not accept tenders sent by email or delivered by hand to its offices.\nDocuments to be returned\n1. Form of Tender. The Form of Tender must be completed in full and signed by a person\nauthorised to commit the bidder to the contract, and a copy of that authority must be attached\nto it.\n2. Pricing Schedule. All prices must be entered in pounds sterling, exclusive of VAT, and must\nremain valid for a period of not less than 120 days from the closing date for tenders.\n6. Evaluation\nTenders will be evaluated on the basis of the most economically advantageous tender, with 60\nper cent of the available marks awarded for price and 40 per cent for quality. The quality\nquestions and the weighting given to each of them are set out in the Method Statement document.\nThe Council reserves the right to seek clarification of any aspect of a tender and to reject\nany tender which is incomplete, which contains qualifications to the terms of the contract or\nwhich is abnormally low.\n7. Timetable\nThe Council intends to notify bidders of the outcome of the evaluation in March 2025, followed\nby a standstill period of ten days, with the contract starting on 1 April 2025. These dates are\nindicative and may be changed by the Council at its discretion.\n8. TUPE\nBidders should be aware that the Transfer of Undertakings (Protection of Employment)\nRegulations 2006 are likely to apply to this contract, and information about the staff who may\ntransfer has been provided in the data room on the portal.\n9. Clarification Questions\nAny questions about this invitation must be submitted through the messaging function of the\nportal no later than five working days before the closing date. Questions and answers will be\nshared with all bidders, without identifying the bidder who asked the question.\n10. Contact\nThe Council's contact for this procurement is the Procurement Team, Northfield District\nCouncil, Town Hall, Northfield. All communication about the tender must be made through the\nportal and not with other officers or members of the Council.\n",
			[]string{"opening text", "1 Introduction", "2 Background", "3 Scope of Services", "4 Contract Terms", "5 Submission Requirements", "Documents to be returned", "6 Evaluation", "7 Timetable", "8 TUPE", "9 Clarification Questions", "10 Contact"}},
		{"title-case steps ending with a full stop in a document not numbered are no headings", "Community Spaces Fund: Guidance Notes for Applicants\n1 About the Fund\nThe Community Spaces Fund offers grants of between 2,000 and 25,000 pounds to voluntary and community organisations that want to improve buildings and outdoor spaces used by local people, such as village halls, community gardens, sports pavilions and youth centres.\nThe fund is paid for by the council's share of developer contributions and is open to applications twice a year. The closing dates for this year are 31 May and 30 November, and decisions are normally made within ten weeks of the closing date.\n2 Who Can Apply\nYou can apply if your organisation is a registered charity, a charitable incorporated organisation, a community interest company, a parish or town council, or an unincorporated association with a written constitution and a bank account needing two unrelated signatories.\nIndividuals, businesses run for private profit and organisations that have an overdue monitoring report for an earlier grant from the council cannot apply to the fund.\n3 What We Will Fund\nWe will fund capital works such as repairs to roofs and windows, improvements to heating and insulation, new kitchens and toilets, ramps and other changes that make a building easier to use for disabled people, and the landscaping of outdoor spaces.\nWe will not fund running costs, staff salaries, work that has already started, or equipment that is not fixed to the building, and we will not fund the whole cost of a project worth more than 100,000 pounds.\n4 How to Apply\nApplications must be made online through the council's grants portal. Paper applications will be accepted only where an applicant cannot use the portal, and you should contact the grants team before the closing date if you need to apply on paper.\nSteps to follow\n1. Read the Guidance Notes.\nMake sure your project meets the criteria in sections 2 and 3 before you start your application.\n2. Complete the Application Form.\nAnswer every question and keep to the word limits shown in the form.\n3. Submit Your Application Online.\nYou will receive an acknowledgement by email within two working days.\n5 Assessment\nEach application is scored by two officers against the criteria in this guidance, and applications scoring above the threshold are considered by the Grants Panel, which is made up of four councillors and two representatives of the voluntary sector.\nThe panel may award less than the amount requested, or attach conditions to a grant, for example requiring you to obtain planning permission or to secure the rest of the funding for the project before the grant is paid.\n6 Payment and Monitoring\nGrants are paid in arrears on receipt of invoices for the work carried out. You must complete a monitoring report within three months of finishing the project, with photographs of the completed work and a statement of how the grant was spent.\nIf your project changes after the grant is awarded, or you find you cannot complete it, you must tell the grants team at once. The council may ask you to repay any part of the grant that has not been spent on the approved project.\n7 Contact Us\nIf you have any questions about the fund or about your application, please contact the Grants Team at the Civic Centre by email or by telephone on weekdays between 9 am and 5 pm. We are happy to talk through your project before you apply.\n",
			[]string{"opening text", "1 About the Fund", "2 Who Can Apply", "3 What We Will Fund", "4 How to Apply", "5 Assessment", "6 Payment and Monitoring", "7 Contact Us"}},
		{"a form's numbered fields are no part", "Oakfield Residents' Association\nMinutes of the Committee Meeting held on 12 February 2025 at the Community Centre\nPresent:\nA. Smith (Chair)\nB. Jones (Treasurer)\nApologies:\nC. Patel (Secretary)\n1. Minutes of the Last Meeting\nThe minutes of the meeting held on 11 December 2024 were approved as a correct record, with one correction: the date of the litter pick in the spring is 22 March and not 15 March as stated in the minutes.\n2. Treasurer's Report\nThe treasurer reported a balance of 2,340 pounds in the association's account at the end of January. The grant of 500 pounds from the ward budget for the summer fun day has been received, and the insurance for the year has been renewed at a cost of 186 pounds.\nThe committee agreed that the accounts for the year should be examined by an independent person before the annual general meeting, and the treasurer will ask the examiner who did this last year if she is willing to do so again.\n3. Parking on Elm Road\nResidents have complained again about parking on the pavement near the school at the start and end of the school day. The chair has written to the head teacher and to the council's parking team, and the council has agreed to visit the road during the next month to see what can be done.\nThe committee agreed to raise the matter at the next meeting of the police and community forum, and asked members to report any obstruction of the pavement through the council's website so that there is a record of the problem.\n4. Summer Fun Day\nThe fun day will be held on the green on Saturday 5 July from 12 noon to 4 pm. Bookings have been received for a bouncy castle, a face painter and a dog show, and the local scout group has offered to run the barbecue, with any profit to be shared between the group and the association.\nVolunteers are still needed to help set up in the morning and clear up at the end of the day, and a notice asking for help will go into the next newsletter, which is due to be delivered to all households in the area in April.\n5. Any Other Business\nA member raised the state of the bus shelter on Station Road, which has been damaged twice this winter. The secretary will report the damage to the council and ask whether the shelter can be replaced with one that is harder to damage.\n6. Date of Next Meeting\nThe next meeting will be held on Wednesday 9 April 2025 at 7.30 pm at the Community Centre. All members of the association are welcome to attend the meetings of the committee and to raise any matter that concerns the area.\n",
			[]string{"opening text", "1 Minutes of the Last Meeting", "2 Treasurer's Report", "3 Parking on Elm Road", "4 Summer Fun Day", "5 Any Other Business", "6 Date of Next Meeting"}},
		{"an FAQ numbered again in each category is no part", "Household Support Fund: Frequently Asked Questions\nThese questions and answers explain how the Household Support Fund works in the borough, who\ncan get help from it and how to apply. If your question is not answered here, please call the\ncouncil's helpline, which is open from 9 am to 5 pm on weekdays, or ask at any of the council's\ncommunity hubs.\nThe fund is paid for by the government and managed by the council, which works with local\ncharities, food banks and advice services to make sure that help reaches the people who need\nit. The fund runs until 31 March 2025, or until the money available has been spent, whichever\nis sooner.\nEligibility\n1. Who can get help from the fund?\nAny household living in the borough that is struggling to pay for food, energy or other\nessential items can apply. You do not need to be receiving benefits, but we will ask about your\nincome and savings so that we can give help to the households in the greatest need first.\n2. Can I apply if I rent my home privately?\nYes. The fund is open to owner occupiers, council and housing association tenants and people\nrenting from private landlords, as well as people living with family or friends who are not\nnamed on the tenancy of the home they live in.\nApplying\n1. How do I apply?\nYou can apply online through the council's website, by calling the helpline, or in person at a\ncommunity hub, where staff can help you fill in the form. You will need to tell us about\neveryone who lives with you and about the income of your household.\n2. What documents do I need?\nYou will need proof of your address, such as a council tax bill or a tenancy agreement, and\nyour most recent bank statement. If you cannot provide these, please apply anyway and tell us\nwhy, and we will try to find another way to check the details.\nPayments\n1. How will I receive the help?\nMost help is paid as a supermarket voucher sent by text message or email, or as a credit to\nyour energy account. We can also pay money into your bank account in some cases, for example\nwhere you need to buy a cooker or a fridge to replace one that has broken.\n2. How long will it take?\nWe aim to make a decision within ten working days of receiving a complete application, and\nvouchers are usually sent within two working days of the decision. If your need is urgent, tell\nus when you apply and we will try to deal with your application more quickly.\nIf you are unhappy with the decision on your application, you can ask for it to be looked at\nagain by a senior officer within one month of the decision. Please explain why you think the\ndecision is wrong and send any further information that supports your application.\n",
			[]string{"Household Support Fund: Frequently Asked Questions", "1 Who can get help from the fund?", "2 Can I apply if I rent my home privately?", "Applying", "2 What documents do I need?", "Payments", "2 How long will it take?"}},
		{"a heading that is not numbered, inside a numbered section", "3 Finance\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\n3.8 Stripe Connect\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\nFull service agreement\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\n3.9 Liability\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n\n4 Term\nThe rules in this part say what a party must do, by when, and what happens if it does not do it in\ntime or at all, as the page of the PDF wraps them: each party keeps to them for as long as the terms\nlast, and a party that breaks one of them is told so in writing and given thirty days to put it right\nbefore anything else is done about it by the other party or by the programme that brings them\ntogether.\n",
			[]string{"3 Finance", "3 Finance › 3.8 Stripe Connect", "3 Finance › 3.8 Stripe Connect › Full service agreement", "3 Finance › 3.9 Liability", "4 Term"}},
		{"a heading next to a numbered list", "1 Introduction\nThis guide explains the service.\n\n2 How to apply\n1. Fill in the form.\n2. Send it to the office.\n\n3 Pricing\nThe service costs ten pounds a month.\n",
			[]string{"1 Introduction", "2 How to apply", "3 Pricing"}},
		{"a heading marked as the list above it is no item of it", "2. How to apply\n1. Fill in the form.\n2. Send it to the office.\n\n3. Pricing\nThe service costs ten pounds a month.\n",
			[]string{"2 How to apply", "3 Pricing"}},
		{"a list ends right above a heading and its subsection", "1 Introduction\nCheck two things:\n1. You have an account.\n2. You have a password.\n\n3 Pricing\nThe service costs ten pounds a month.\n\n3.1 Discounts\nStudents pay half.\n",
			[]string{"1 Introduction", "3 Pricing", "3 Pricing › 3.1 Discounts"}},
		{"a table of contents with subsections and page numbers", "CONTENTS\n1 Introduction 3\n1.1 Purpose 3\n1.2 Background 4\n2 Scope 5\n2.1 Services 5\n3 Pricing 7\n\n1 Introduction\nThis tender invites bids.\n\n1.1 Purpose\nThe purpose is to find a cleaner.\n\n2 Scope\nThe contractor cleans daily.\n\n3 Pricing\nPrices are fixed.\n",
			[]string{"CONTENTS", "1 Introduction", "1 Introduction › 1.1 Purpose", "2 Scope", "3 Pricing"}},
		{"contents mixing numbered and unnumbered entries", "Contents\n1 Introduction 3\nBackground 3\n2 Scope 5\nServices 5\n3 Pricing 7\n\n1 Introduction\nThis tender invites bids.\n\n2 Scope\nThe contractor cleans daily.\n\n3 Pricing\nPrices are fixed.\n",
			[]string{"opening text", "1 Introduction", "2 Scope", "3 Pricing"}},
		{"sections numbered 1.0 in ordinary case", "1.0 Introduction\nThis tender invites bids.\n\n1.1 Purpose\nTo find a cleaner.\n\n2.0 Scope\nThe contractor cleans daily.\n",
			[]string{"1.0 Introduction", "1.0 Introduction › 1.1 Purpose", "2.0 Scope"}},
		{"chapters named and numbered, with their subsections", "Chapter 1: Introduction\nThis tender invites bids.\n\n1.1 Purpose\nTo find a cleaner.\n\nChapter 2: Scope\nThe contractor cleans daily.\n\nSection 508 applies to the website.\n",
			[]string{"Chapter 1: Introduction", "Chapter 1: Introduction › 1.1 Purpose", "Chapter 2: Scope"}},
		{"contents with dot leaders", "1 Introduction ........ 3\n2 Scope .......... 5\n\n1 Introduction\nThis tender invites bids.\n\n2 Scope\nThe contractor cleans daily.\n",
			[]string{"opening text", "1 Introduction", "2 Scope"}},
		{"an appendix lettered A", "1 Introduction\nThis tender invites bids.\n\n2 Scope\nThe contractor cleans daily.\n\nAPPENDIX A\nThe price schedule is attached.\n\n3 Appendix A\nBidders fill in the schedule.\n",
			[]string{"1 Introduction", "2 Scope", "APPENDIX A", "3 Appendix A"}},
		{"numbered steps in a section are its text", "1 Introduction\nThis guide sets up the router.\n\n2 Installation\nFollow these steps.\n\n1. Unplug the modem. Wait thirty seconds before going on.\n2. Connect the cable. Use the yellow port on the back.\n3. Plug in the router. The light turns green when ready.\n\n3 Troubleshooting\nIf the light stays red, call support.\n",
			[]string{"1 Introduction", "2 Installation", "3 Troubleshooting"}},
		{"abbreviations end no run-in title", "MEETING MINUTES\nThe board met on Monday.\n\n1. Dr. Jones chaired the meeting and welcomed the members.\n2. Mr. Smith presented the budget for next year.\n3. Mrs. Brown asked about the staff costs.\n",
			[]string{"MEETING MINUTES"}},
		{"a cover page's date takes no section number", "REQUEST FOR TENDER\nOFFICE CLEANING SERVICES\n15 MARCH 2024\n\n1 Introduction\nThis tender invites bids.\n\n2 Scope\nThe contractor cleans daily.\n\n3 Pricing\nPrices are fixed.\n",
			[]string{"opening text", "1 Introduction", "2 Scope", "3 Pricing"}},
		{"a title wrapped onto a line in capitals", "1 Introduction\nThis tender invites bids.\n\n2 Roles and Responsibilities of the\nContracting Officer\nThe Contracting Officer approves all changes.\n\n3 Pricing\nPrices are fixed.\n",
			[]string{"1 Introduction", "2 Roles and Responsibilities of the Contracting Officer", "3 Pricing"}},
		{"dates at the start of lines are no section numbers", "1 Introduction\nThis tender invites bids.\n\n2 Key dates\n3 June Tender published\n17 June Questions close\n1 July Bids due\n\n3 Pricing\nPrices are fixed.\n",
			[]string{"1 Introduction", "2 Key dates", "3 Pricing"}},
		{"a date ends no run-in title", "TIMELINE\nThe project ran over two weeks.\n\n1 September. The committee met to review the bids.\n3 September. The winning bid was announced to all bidders.\n",
			[]string{"TIMELINE"}},
		{"two words of a slide's title glued by the extraction are set apart", "Title: Deck\n1Health Innovation and Education ClustersWhat\nare we trying to achieve?\n2Where the idea beginsHigh Quality Care\n- Innovation is the key\n",
			[]string{"Deck › 1 Health Innovation and Education Clusters What", "Deck › 2 Where the idea begins High Quality Care"}},
		{"a clause titled with a short last word is a clause", "1. Payment. The Customer pays each invoice within thirty days.\n\n2. Governing Law. This Agreement is governed by the law of England.\n\n3. Notices. Notices are sent by email to the addresses above.\n",
			[]string{"1 Payment", "2 Governing Law", "3 Notices"}},
		{"a title's last word after a non-breaking space", "1. Apologies were sent by\u00a0Dr. Smith and two others of the board.\n\nThe meeting began.\n",
			[]string{"paragraph 1", "paragraph 2"}},
		{"placeholders and keys in angle brackets are text", "Type ssh <username>@server.example.org and press <ENTER>.\n<NAME>\n<p>\n",
			[]string{"paragraph 1"}},
		{"a numbered item whose sentence goes on below is no heading", "How to apply\n1. Fill in the application form in black ink\nand sign it on the last page.\n2. Attach a copy of your passport and a recent\nutility bill.\n3. Post it to the council offices.\n",
			[]string{"paragraph 1"}},
		{"a paragraph a line, as a word processor saves plain text", strings.Repeat("The council wants a contractor to clean its six offices every working day of the year, to the standard set out in the schedule.\n", 3),
			[]string{"paragraph 1", "paragraph 2", "paragraph 3"}},
		{"an acronym in a line without capitals is no heading", "请登录HIEC网站填写申请表\n然后上传PDF文件并等待审核。\n\n每份申请收费一百元。\n",
			[]string{"paragraph 1", "paragraph 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range sourcePassages("x.txt", tt.text) {
				got = append(got, strings.TrimPrefix(p.citation, "x.txt: "))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("citations %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPageFurniture: what a PDF prints on every page (a running header,
// "Page 3 of 4") is no part of the text, and no longer stands between
// the halves of a sentence broken by a page; a line said on one page
// only stays.
func TestPageFurniture(t *testing.T) {
	line := "The supplier rules say what a supplier must do and when it must be done by them, in full"
	var b strings.Builder
	for p := 1; p <= 4; p++ {
		if p > 1 {
			b.WriteString("\f")
		}
		fmt.Fprintf(&b, "Acme Agency RFQ 24-117 (issued 2 May)\n\n")
		if p == 1 {
			b.WriteString("Eligibility\n")
		}
		for range 6 {
			b.WriteString(line + "\n")
		}
		if p == 2 {
			b.WriteString("Invoices are paid within thirty days of the date on which the supplier sends them, and\n")
		} else {
			b.WriteString("and that is all.\n")
		}
		if p == 3 {
			b.WriteString("Fees are set by the framework.\n")
		}
		fmt.Fprintf(&b, "\nPage %d of 4\n", p)
		if p == 2 {
			b.WriteString("\f")
			fmt.Fprintf(&b, "Acme Agency RFQ 24-117 (issued 2 May)\n\n")
			b.WriteString("the agency pays by bank transfer only, to the account named in the contract between them.\n")
			fmt.Fprintf(&b, "\nPage %d of 4\n", 3)
		}
	}
	ps := sourcePassages("rfq.txt", b.String())
	var all strings.Builder
	for _, p := range ps {
		all.WriteString(p.citation + "\n" + p.text + "\n")
	}
	text := all.String()
	for _, gone := range []string{"Acme Agency", "Page 1 of 4", "of 4"} {
		if strings.Contains(text, gone) {
			t.Errorf("%q is left in the passages:\n%s", gone, text)
		}
	}
	for _, kept := range []string{"sends them, and the agency pays by bank transfer", "Fees are set by the framework."} {
		if !strings.Contains(text, kept) {
			t.Errorf("%q is not in the passages:\n%s", kept, text)
		}
	}
}

// TestPageFurnitureCounts: a page number of two digits is the same
// furniture as one of one ("Page 9 of 12", "Page 10 of 12"); headers
// that alternate from page to page go too; the empty page after the last
// form feed (pdftotext ends every page with one) is no page.
func TestPageFurnitureCounts(t *testing.T) {
	line := "The contractor cleans every floor of the offices and reports on it to the buyer each week"
	floors := strings.Fields("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth")
	var b strings.Builder
	b.WriteString("Services\n")
	for p := 1; p <= 12; p++ {
		header := "Annual Report 2023"
		if p%2 == 0 {
			header = "Chapter Two: Operations"
		}
		fmt.Fprintf(&b, "%s\n", header)
		for range 3 {
			b.WriteString(line + "\n")
		}
		fmt.Fprintf(&b, "and that is all about the %s floor.\nPage %d of 12\n\f", floors[p-1], p)
	}
	var all strings.Builder
	for _, p := range sourcePassages("report.txt", b.String()) {
		all.WriteString(p.citation + "\n" + p.text + "\n")
	}
	for _, gone := range []string{"Page 9 of 12", "Page 10 of 12", "Page 12 of 12", "Annual Report", "Chapter Two"} {
		if strings.Contains(all.String(), gone) {
			t.Errorf("%q is left in the passages:\n%s", gone, all.String())
		}
	}
	if !strings.Contains(all.String(), "all about the tenth floor.") {
		t.Errorf("the text of page 10 is gone:\n%s", all.String())
	}
}

// TestPageFurnitureKeepsFigures: a line at the foot of every page whose
// figures go up and down ("Total £1,200.00") is the page's text, not its
// number.
func TestPageFurnitureKeepsFigures(t *testing.T) {
	var b strings.Builder
	for _, total := range []string{"1,200.00", "3,450.00", "2,980.50", "1,100.00"} {
		fmt.Fprintf(&b, "Invoice lines for the month, as agreed with the buyer.\nTotal £%s\n\f", total)
	}
	var all strings.Builder
	for _, p := range sourcePassages("invoices.txt", b.String()) {
		all.WriteString(p.text + "\n")
	}
	for _, total := range []string{"£1,200.00", "£3,450.00", "£2,980.50"} {
		if !strings.Contains(all.String(), total) {
			t.Errorf("%s is gone:\n%s", total, all.String())
		}
	}
}

// TestLongSectionSplit: a long section is cut at paragraphs into parts
// that keep the heading path.
func TestLongSectionSplit(t *testing.T) {
	para := strings.Repeat("word ", maxPassageWords*3/5) // two paragraphs overflow a part
	ps := sourcePassages("a.md", "# Scope\n## Tasks\n"+para+"\n\n"+para+"\n\n"+para+"\n")
	if len(ps) != 3 {
		t.Fatalf("%d passages, want 3", len(ps))
	}
	for i, p := range ps {
		want := "a.md: Scope › Tasks (part " + string(rune('1'+i)) + ")"
		if p.citation != want || p.title != "Tasks" || countWords(p.text) > maxPassageWords {
			t.Errorf("part %d: %q %q, %d words", i+1, p.citation, p.title, countWords(p.text))
		}
	}
}

// TestLongParagraphSplit: a paragraph longer than a page, as text
// extracted with no blank lines gives, is cut at the ends of sentences.
func TestLongParagraphSplit(t *testing.T) {
	sentence := "The supplier builds and runs the dashboard for the agency. "
	text := strings.Repeat(sentence, maxPassageWords/5) // about two pages, one paragraph
	ps := sourcePassages("notes.txt", text)
	if len(ps) < 2 {
		t.Fatalf("%d passages, want the paragraph cut", len(ps))
	}
	var joined []string
	for i, p := range ps {
		if countWords(p.text) > maxPassageWords || !strings.HasSuffix(p.text, ".") {
			t.Errorf("part %d: %d words, ends %q: want at most %d words, cut at a sentence's end", i+1, countWords(p.text), p.text[max(0, len(p.text)-10):], maxPassageWords)
		}
		if want := "notes.txt: paragraph 1 (part " + string(rune('1'+i)) + ")"; p.citation != want {
			t.Errorf("part %d cited %q, want %q", i+1, p.citation, want)
		}
		joined = append(joined, p.text)
	}
	if got, want := strings.Fields(strings.Join(joined, " ")), strings.Fields(text); !slices.Equal(got, want) {
		t.Error("the parts do not hold the paragraph's words, in order")
	}
}

func TestReadText(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string { return writeTemp(t, dir, name, data) }
	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune("# Café\nÉté")) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	tests := []struct {
		name    string
		data    []byte
		limit   int64
		want    string
		wantErr string
	}{
		{"UTF-8", []byte("# A\nb"), 100, "# A\nb", ""},
		{"UTF-8 with BOM", []byte("\xEF\xBB\xBF# A"), 100, "# A", ""},
		{"UTF-16 LE with BOM", utf16le, 100, "# Café\nÉté", ""},
		{"Latin-1", []byte("caf\xE9"), 100, "", "is not UTF-8 text (invalid byte 0xE9 at offset 3): save it as UTF-8"},
		{"binary", []byte("PK\x03\x04\x00\x00"), 100, "", "NUL byte"},
		{"too big", []byte(strings.Repeat("x", 101)), 100, "", "over the limit of 100 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readText(write(tt.name, tt.data), tt.limit)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("readText = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	// New names the file at fault.
	_, err := New(Options{Sources: []string{write("latin1.md", []byte("caf\xE9"))}, NoEmbedded: true})
	if err == nil || !strings.Contains(err.Error(), "latin1.md") {
		t.Errorf("New with a Latin-1 source: %v", err)
	}
	_, err = New(Options{Sources: []string{write("big.md", []byte(strings.Repeat("x", 2000)))}, MaxSourceBytes: 1000})
	if err == nil || !strings.Contains(err.Error(), "big.md") || !strings.Contains(err.Error(), "over the limit") {
		t.Errorf("New with a source over the limit: %v", err)
	}
}

// TestSynonymsOption: an operator's synonyms reach every document, and a
// document's own vocabulary (the guide's) does not reach the others.
func TestSynonymsOption(t *testing.T) {
	doc := writeFile(t, "visits.md", "# Site visits\n\nVisitors park in the north car lot.\n")
	words := writeFile(t, "words.txt", "visitor, visitors, guest, guests\n")
	with := newTestEngine(t, Options{Sources: []string{doc}, Synonyms: []string{words}, NoEmbedded: true})
	without := newTestEngine(t, Options{Sources: []string{doc}, NoEmbedded: true})
	const q = "Where do guests park?"
	a, b := answer(t, with, q), answer(t, without, q)
	if !a.Confident || a.Probability <= b.Probability {
		t.Errorf("with synonyms %+v; without %+v", a, b)
	}
	for _, bad := range []string{"lonely\n", "the, of\n", "a => \n"} {
		_, err := New(Options{Synonyms: []string{writeFile(t, "bad.txt", bad)}, NoEmbedded: true})
		if err == nil || !strings.Contains(err.Error(), "bad.txt: line 1") {
			t.Errorf("synonyms %q: err = %v, want one naming bad.txt: line 1", bad, err)
		}
	}
}

// TestGuideVocabularyIsScoped: the guide's vocabulary maps "programme
// board" to the National Steering Group in the guide; in another document
// a programme board is just a board.
func TestGuideVocabularyIsScoped(t *testing.T) {
	doc := writeFile(t, "rfq.md", "# Staffing\n\nThe contractor's programme board approves key personnel.\n")
	e := newTestEngine(t, Options{Sources: []string{doc}})
	e.mu.RLock()
	defer e.mu.RUnlock()
	q := e.analyseQuestion("What does the National Steering Group do?")
	e.weigh(q.units, nil)
	var rfq *indexed
	for _, ip := range e.passages {
		if ip.source == "rfq.md" {
			rfq = ip
		}
	}
	found := false
	qv := e.query(q.units, q.asks).views(e.inv, []*indexed{rfq})[0]
	for i, u := range q.units {
		if strings.Join(u.keys, " ") != "nation steer group" {
			continue
		}
		found = true
		if len(u.alts) == 0 {
			t.Errorf("the guide's vocabulary gives %v no synonyms", u.keys)
		}
		if c := qv.credit(i, inPassage); c > 0 {
			t.Errorf("the guide's synonyms of %v credit rfq.md with %.2f", u.keys, c)
		}
	}
	if !found {
		t.Fatalf("no unit for the National Steering Group in %+v", q.units)
	}
}

// BenchmarkBlankRun reads a sentence cut by a long run of blank lines: the
// run is looked past once, not once a line (it was quadratic).
func BenchmarkBlankRun(b *testing.B) {
	text := strings.Repeat("The rules say what a supplier must do and when it must be done by them in full.\n", 22) +
		"Invoices are paid on the date on which the\n" + strings.Repeat("\n", 20000) + "agency pays.\n"
	for b.Loop() {
		if ps := sourcePassages("x.txt", text); !strings.Contains(ps[len(ps)-1].text, "on which the agency pays") {
			b.Fatal("the sentence is cut")
		}
	}
}

// TestRSTShapes checks how reStructuredText's constructs are read, each
// case one that a review of real files (PEPs, Sphinx, the Python
// packaging guide, Read the Docs) found misread: the text of a passage,
// or its citation.
func TestRSTShapes(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // "citation: text" of each passage
	}{
		{"a comment in a literal block is no heading",
			"Install\n=======\n\nRun::\n\n    # install it\n    pip install x\n\nThen it works.\n",
			[]string{"a.rst: Install: Run:\n# install it\npip install x\nThen it works."}},
		{"a code block's body is literal",
			"Style\n=====\n\n.. code-block:: python\n\n   # Correct:\n   x = 1\n\nMore.\n",
			[]string{"a.rst: Style: # Correct:\nx = 1\nMore."}},
		{"an underline in a literal block is no title",
			"Guide\n=====\n\nExample::\n\n    Part\n    ====\n\nInstall\n-------\n\nSteps.\n",
			[]string{"a.rst: Guide: Example:\nPart\n====", "a.rst: Guide › Install: Steps."}},
		{"a fence or front matter in a literal block is text",
			"Example\n=======\n\nWrite::\n\n    ~~~~~\n    ---\n\nLater\n=====\n\nText after.\n",
			[]string{"a.rst: Example: Write:\n~~~~~\n---", "a.rst: Later: Text after."}},
		{"a described class keeps its signature and text",
			"API\n===\n\n.. class:: Session(timeout=30)\n\n   A connection pool.\n\n   .. method:: close()\n\n      Close all connections.\n\nAfter.\n",
			[]string{"a.rst: API: Session(timeout=30)\nA connection pool.\nclose()\nClose all connections.\nAfter."}},
		{"inline literals are kept as written",
			"Names\n=====\n\nUse ``__init__`` and ``*text*``, ``data/(a|b)``, ``[1]_`` or ``class_``.\n",
			[]string{"a.rst: Names: Use __init__ and *text*, data/(a|b), [1]_ or class_."}},
		{"a wrapped line beginning with # is text",
			"Scripts\n=======\n\nScripts must begin with\n``#!python`` to be rewritten. Open issue\n#1234 for details.\n",
			[]string{"a.rst: Scripts: Scripts must begin with #!python to be rewritten. Open issue #1234 for details."}},
		{"table cells lose their markup, and a blank row line is no row",
			"Opts\n====\n\n====  ==========\nOpt   Meaning\n====  ==========\n``-q`` `Docs <https://x.org/>`_ Q&A <tag>\n\nab    x\n====  ==========\n",
			[]string{"a.rst: Opts: Opt | Meaning\n-q | Docs Q&A <tag>\nab | x"}},
		{"a grid table's cell over two lines is one cell",
			"Fees\n====\n\n+---------+-----------------+\n| Annual  | 10 dollars for  |\n| renewal | members only    |\n+---------+-----------------+\n",
			[]string{"a.rst: Fees: Annual renewal | 10 dollars for members only"}},
		{"a list-table and a csv-table are rows",
			"Fees\n====\n\n.. list-table:: Prices\n   :header-rows: 1\n\n   * - Item\n     - Price\n   * - Annual\n     - 10\n\n.. csv-table::\n   :header: \"Item\", \"Price\"\n\n   \"Late fee\", 5\n",
			[]string{"a.rst: Fees: Prices\nItem | Price\nAnnual | 10\nItem | Price\nLate fee | 5"}},
		{"field lists keep a field a line",
			"Config\n======\n\n:Type: ``list``\n:Default: ``[]``\n:param x: the value\n",
			[]string{"a.rst: Config: Type: list\nDefault: []\nparam x: the value"}},
		{"a PEP's header is a field a line",
			"PEP: 8\nTitle: Style Guide\nAuthor: A, B,\n        C\n\nIntro\n=====\n\nText.\n",
			[]string{"a.rst: opening text: PEP: 8\nTitle: Style Guide\nAuthor: A, B, C", "a.rst: Intro: Text."}},
		{"version notes say what the version means",
			"Changes\n=======\n\n.. versionadded:: 1.2\n\n.. versionchanged:: 7.3\n   Add ``--builder`` long option.\n",
			[]string{"a.rst: Changes: Added in version 1.2\nChanged in version 7.3: Add --builder long option."}},
		{"a directive's first line goes on on the next",
			"Fees\n====\n\n.. note:: No fee is charged\n   for members.\n",
			[]string{"a.rst: Fees: No fee is charged for members."}},
		{"anonymous targets and housekeeping directives leave no text",
			"Text\n====\n\nUse Unicode__ everywhere.\n\n__ https://www.unicode.org/\n\n.. module:: spam.eggs\n.. sectionauthor:: Jo <jo@x.org>\n.. http:get:: /api/v3/projects/\n\n   Lists projects.\n",
			[]string{"a.rst: Text: Use Unicode everywhere.\nGET /api/v3/projects/\nLists projects."}},
		{"definition, option and enumerated lists keep an entry a line",
			"Terms\n=====\n\nbuilder\n   A class that builds.\n\n-a, --all     Show all.\n-q            Be quiet.\n\na. Parse the file.\nb. Check the version.\n",
			[]string{"a.rst: Terms: builder: A class that builds.\n-a, --all Show all.\n-q Be quiet.\nParse the file.\nCheck the version."}},
		{"roles' prefixes and escapes are read as Sphinx renders them",
			"Roles\n=====\n\n:class:`~django.db.models.ManyToManyField`\\ s, :option:`!--keep-going`, thisis\\ *one*\\ word, \\*not emphasis\\*.\n",
			[]string{"a.rst: Roles: ManyToManyFields, --keep-going, thisisoneword, *not emphasis*."}},
		{"substitutions are replaced by their definitions",
			"Tool\n====\n\nThe |project| tool is |version|.\n\n.. |project| replace:: Spam Maker\n.. |version| replace:: 2.0\n",
			[]string{"a.rst: Tool: The Spam Maker tool is 2.0."}},
		{"footnotes keep their text, citations their label",
			"Rules\n=====\n\nSee [CIT2002]_ and the rule [#r]_.\n\n.. [#r]\n   The rule applies to members only.\n",
			[]string{"a.rst: Rules: See [CIT2002] and the rule.\nThe rule applies to members only."}},
		{"a footnote's link over two lines, a literal with backticks in it",
			"Refs\n====\n\nWrite ``:rolename:`content```, ``x !=\ny``.\n\n.. [2] `Version script\n   <https://x.org/check.py>`__\n",
			[]string{"a.rst: Refs: Write :rolename:`content`, x != y.\nVersion script"}},
		{"a list item's literal block is what is indented past its text",
			"Steps\n=====\n\n#. Apply it::\n\n       $ git apply x\n\n   If that fails, try ``git am`` again.\n",
			[]string{"a.rst: Steps: Apply it:\n$ git apply x\nIf that fails, try git am again."}},
		{"a literal block after a lone ::, and a comment's lines dropped",
			"Example\n=======\n\n::\n\n    # comment\n    x = 1\n\n..\n   This is a comment\n   still comment\n\nEnd.\n",
			[]string{"a.rst: Example: # comment\nx = 1\nEnd."}},
		{"table cells cut by characters, not bytes, and a grid cut at its borders",
			"T\n====\n\n===  =\nééé  b\n===  =\n\n+---+-----+\n| a | c|d |\n+---+-----+\n",
			[]string{"a.rst: T: ééé | b\na | c|d"}},
		{"a title with a colon is no header, and an overline title needs no blank after",
			"Python: A Guide\n===============\n\nBody.\n\n=====\nUsage\n=====\nText.\n",
			[]string{"a.rst: Python: A Guide: Body.", "a.rst: Python: A Guide › Usage: Text."}}, // overlined is another style: the next level
		{"a dash or a letter starting a paragraph's line is no item",
			"Values\n======\n\nThe value is\n- 1 when true.\n\nA. Einstein was a really\nsmart dude.\n\n.. versionadded:: 2.5 The *spam* parameter.\n",
			[]string{"a.rst: Values: The value is - 1 when true.\nA. Einstein was a really smart dude.\nAdded in version 2.5: The spam parameter."}},
		{"a table of one column is no title",
			"Codes\n=====\n\n=======\nCode\n=======\n200\n404\n=======\n",
			[]string{"a.rst: Codes: Code\n200\n404"}},
		{"short titles, and a short underline of four or more",
			"==\nGo\n==\n\nText.\n\nA long section title\n================\n\nMore.\n",
			[]string{"a.rst: Go: Text.", "a.rst: Go › A long section title: More."}},
		{"emphasis by brackets, and an empty comment before a quote",
			"Usage\n=====\n\nsphinx-build [*options*] <*sourcedir*>\n\n..\n\n   The quoted text.\n",
			[]string{"a.rst: Usage: sphinx-build [options] <sourcedir>\nThe quoted text."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range sourcePassages("a.rst", tt.text) {
				got = append(got, p.citation+": "+p.text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
