"""The funds domain's rules as JSON in, JSON out: the same answer through the CLI, the API and the pages.

    levier funding obligation CASE.json      POST /api/v1/funding/obligation
    levier funding loan LOAN.json            POST /api/v1/funding/loan
    levier funding de-minimis CHECK.json     POST /api/v1/funding/de-minimis

Each reads its JSON with levier.core.parsing (every error listed with its field, unknown fields refused),
calls the pure rule, and answers its `as_dict()`. Only two values may come from the database when the
request does not give them: the SMIC in force on the notification date, the base rate in force on the
grant date. Formats and worked examples: docs/funding-rules.md.
"""

import re
from datetime import date
from decimal import Decimal

from levier.core.dates import add_months
from levier.core.errors import FieldError, InvalidInput
from levier.core.money import cents
from levier.core.parsing import Reader

from .rules import de_minimis, loans
from .rules import revitalisation as law


MAX_MONTHS = 600  # fifty years: longer than any loan a fund grants
FREQUENCY_LABELS = {"monthly": "mensuelle", "quarterly": "trimestrielle", "half_yearly": "semestrielle",
                    "yearly": "annuelle"}


def _percent(rate: Decimal) -> str:
    text = f"{(rate * 100).quantize(Decimal('0.000001')).normalize():f}"
    return "0" if text in ("-0", "0") else text


# ---------------------------------------------------------------- revitalisation obligation


def obligation_case(data, *, today: date, smic_on=None) -> law.ObligationCase:
    reader = Reader(data)
    procedure = reader.choice("procedure", tuple(law.PROCEDURES), required=True)
    headcount = reader.integer("headcount", required=True)
    group_headcount = reader.integer("group_headcount")
    in_receivership = reader.boolean("in_receivership")
    eliminated = reader.integer("jobs_eliminated", required=True)
    reclassified = reader.integer("jobs_reclassified") or 0
    notified_on = reader.date("notified_on", required=True)
    validated_on = reader.date("validated_on")
    signed_on = reader.date("signed_on")
    as_of = reader.date("as_of") or today
    agreed_amount = reader.money("agreed_amount", positive=False)
    rate = reader.decimal("rate", positive=True)
    amount_reason = reader.text("amount_reason")
    national_framework = reader.boolean("national_framework")
    monthly_smic = reader.money("monthly_smic")
    subjection = None
    if (decision := reader.nested("prefect_decision")) is not None:
        decided_on, subject = decision.date("decided_on", required=True), decision.boolean("subject", default=None)
        if subject is None:
            decision.error("subject", "Indiquez si l'entreprise est assujettie (true/false).")
        elif decided_on is not None:
            subjection = law.Subjection(decided_on, subject)
    agreement = None
    if (request := reader.nested("collective_agreement")) is not None:
        requested_on = request.date("requested_on", required=True)
        commitments = request.money("commitments", required=True, positive=False)
        opposed_on, opposition_reason = request.date("opposed_on"), request.text("opposition_reason")
        if requested_on is not None and commitments is not None:
            agreement = law.CollectiveAgreement(requested_on, commitments, opposed_on, opposition_reason)
    reader.done()
    if monthly_smic is None:
        if smic_on is None:
            from levier.referential.services import monthly_smic_on as smic_on
        try:
            monthly_smic = smic_on(notified_on)
        except InvalidInput:
            raise InvalidInput.single("notified_on", "Aucune valeur du SMIC n'est connue à la date de notification : "
                                                     "donnez « monthly_smic ».") from None
    return law.ObligationCase(
        procedure=procedure, headcount=headcount, jobs_eliminated=eliminated, notified_on=notified_on,
        monthly_smic=monthly_smic, as_of=as_of, group_headcount=group_headcount, in_receivership=in_receivership,
        jobs_reclassified=reclassified, validated_on=validated_on, subjection=subjection, signed_on=signed_on,
        agreed_amount=agreed_amount, rate=rate, amount_reason=amount_reason, agreement=agreement,
        national_framework=national_framework)


def obligation(data, *, today: date, smic_on=None) -> dict:
    """`levier funding obligation` / `POST /api/v1/funding/obligation`."""
    case = obligation_case(data, today=today, smic_on=smic_on)
    try:
        result = law.obligation(case)
    except InvalidInput as exc:
        raise InvalidInput([FieldError(_json_field(e.field), e.message) for e in exc.errors]) from exc
    return {**result.as_dict(), "as_of": case.as_of.isoformat()}


def _json_field(name: str) -> str:
    return {"subjection.decided_on": "prefect_decision.decided_on"}.get(
        name, name.replace("agreement.", "collective_agreement.", 1))


# ---------------------------------------------------------------- loan and gross grant equivalent


def loan(data, *, base_rate_on=None) -> dict:
    """`levier funding loan` / `POST /api/v1/funding/loan`: schedule, rates used, gross grant equivalent."""
    reader = Reader(data)
    principal = reader.money("principal", required=True)
    rate_percent = reader.decimal("rate_percent", minimum=Decimal(0), maximum=Decimal(100))
    months = reader.integer("months", required=True, minimum=1, maximum=MAX_MONTHS)
    frequency = reader.choice("frequency", tuple(loans.FREQUENCIES), default="monthly")
    first_due_on = reader.date("first_due_on", required=True)
    granted_on = reader.date("granted_on")
    base_percent = reader.decimal("base_rate_percent", minimum=Decimal(-50), maximum=Decimal(100))
    margin = reader.integer("margin_bp", minimum=0, maximum=10000)
    rating = reader.choice("rating", loans.RATINGS)
    collateral = reader.choice("collateral", loans.COLLATERALS)
    if margin is None and (rating is None or collateral is None) and not any(
            e.field in ("rating", "collateral", "margin_bp") for e in reader.errors):
        reader.error("rating", "Donnez « margin_bp », ou « rating » et « collateral » (table des marges de la "
                               "communication 2008/C 14/02).")
    if margin is not None and (rating is not None or collateral is not None):
        reader.error("margin_bp", "Donnez soit la marge, soit la notation et les sûretés, pas les deux.")
    period = loans.FREQUENCIES.get(frequency or "monthly", 1)
    if months is not None and months % period:
        reader.error("months", f"Durée en mois multiple de {period} attendue pour une périodicité "
                               f"{FREQUENCY_LABELS[frequency]}.")
    reader.done()
    annual_rate = (rate_percent or Decimal(0)) / 100
    start = granted_on or add_months(first_due_on, -period)
    source = "donné dans la demande"
    if base_percent is None:
        if base_rate_on is None:
            from .services import base_rate_on
        found = base_rate_on(start)
        if found is None:
            raise InvalidInput.single("base_rate_percent", "Aucun taux de base de la Commission n'est connu à la date "
                                                           "d'octroi : donnez « base_rate_percent ».")
        base, source = found.rate, f"taux de base en vigueur depuis le {found.effective_from:%d/%m/%Y} ({found.source})"
    else:
        base = base_percent / 100
    margin = margin if margin is not None else loans.margin_bp(rating, collateral)
    schedule = loans.schedule(principal, count=months // period, first_due_on=first_due_on, months_between=period,
                              annual_rate=annual_rate, granted_on=start)
    equivalent = loans.grant_equivalent(schedule, granted_on=start, base_rate=base, margin=margin, annual_rate=annual_rate)
    return {
        "principal": f"{principal:.2f}", "rate_percent": _percent(annual_rate), "granted_on": start.isoformat(),
        "granted_on_assumed": granted_on is None,
        "first_due_on": first_due_on.isoformat(), "months": months, "frequency": frequency, "instalments": len(schedule),
        "base_rate_percent": _percent(base), "base_rate_source": source, "margin_bp": margin,
        "rating": rating, "collateral": collateral,
        "reference_rate_percent": _percent(equivalent.reference_rate),
        "discount_rate_percent": _percent(equivalent.discount_rate),
        "interest_at_reference": f"{equivalent.interest_at_reference:.2f}",
        "interest_charged": f"{sum(i.interest for i in schedule):.2f}",
        "gross_grant_equivalent": f"{equivalent.value:.2f}",
        "schedule": [{"number": i.number, "due_on": i.due_on.isoformat(), "principal": f"{i.principal:.2f}",
                      "interest": f"{i.interest:.2f}", "outstanding_after": f"{i.outstanding_after:.2f}"}
                     for i in schedule],
    }


# ---------------------------------------------------------------- de minimis


def _fiscal_year_end(reader: Reader) -> tuple[int, int]:
    text = reader.text("fiscal_year_end", max_length=20)
    if not text:
        return 12, 31
    from levier.organisations.rules import fiscal_year_end_error

    month = day = 0
    if re.fullmatch(r"[0-9]{2}-[0-9]{2}", text):
        month, day = int(text[:2]), int(text[3:])
    if month == 0 or fiscal_year_end_error(day, month):
        reader.error("fiscal_year_end", f"Fin d'exercice attendue en MM-JJ (par exemple « 06-30 »), reçu « {text} ».")
        return 12, 31
    return month, day


def de_minimis_check(data) -> dict:
    """`levier funding de-minimis` / `POST /api/v1/funding/de-minimis`."""
    reader = Reader(data)
    granted_on = reader.date("grant_date", required=True)
    amount = reader.money("amount", required=True)
    word = reader.text("regulation", max_length=40)
    if not word:
        reader.error("regulation", "Champ obligatoire.")
    elif word not in de_minimis.REGULATION_WORDS:
        reader.error("regulation", f"Règlement inconnu : « {word} » (attendu : {', '.join(de_minimis.REGULATION_WORDS)}).")
        word = ""
    road_freight = reader.boolean("road_freight")
    fiscal_year_end = _fiscal_year_end(reader)
    applicant = reader.text("applicant", max_length=20)
    links = []
    for item in reader.items("links"):
        controller, controlled = item.text("controller", required=True), item.text("controlled", required=True)
        if controller and controlled:
            links.append((controller, controlled))
    previous = []
    for index, item in enumerate(reader.items("previous_aids")):
        day, value = item.date("date", required=True), item.money("amount", required=True)
        given = item.text("regulation", required=True, max_length=40)
        beneficiary, label = item.text("beneficiary", max_length=20), item.text("label", max_length=200)
        if given and given not in de_minimis.REGULATION_WORDS:
            item.error("regulation", f"Règlement inconnu : « {given} ».")
        elif day is not None and value is not None and given:
            try:
                regulation = de_minimis.regulation_for(given, day, field=f"previous_aids[{index}].regulation")
            except InvalidInput as exc:
                reader.errors.extend(exc.errors)
                continue
            previous.append((beneficiary, de_minimis.Aid(day, value, regulation.regime, label)))
    if (links or any(beneficiary for beneficiary, _ in previous)) and not applicant:
        reader.error("applicant", "Les liens de contrôle et les bénéficiaires des aides antérieures supposent le SIREN du "
                                  "demandeur (« applicant »).")
    regulation = None
    if granted_on is not None and word:
        try:
            regulation = de_minimis.regulation_for(word, granted_on)
        except InvalidInput as exc:
            reader.errors.extend(exc.errors)
    reader.done()
    members = de_minimis.single_undertaking(applicant, links) if applicant else None
    counted = [aid for beneficiary, aid in previous if members is None or not beneficiary or beneficiary in members]
    outside = [(aid, beneficiary) for beneficiary, aid in previous if members is not None and beneficiary
               and beneficiary not in members]
    result = de_minimis.check(de_minimis.Aid(granted_on, cents(amount), regulation.regime), counted,
                              fiscal_year_end=fiscal_year_end, road_freight=road_freight, regulation=regulation)
    body = result.as_dict()
    if members is not None:
        body["single_undertaking"] = sorted(members)
        body["not_counted"] += [{"date": aid.granted_on.isoformat(), "amount": f"{aid.amount:.2f}", "regime": aid.regime,
                                 "beneficiary": beneficiary, "reason": "Entreprise hors de l'entreprise unique du demandeur."}
                                for aid, beneficiary in outside]
    return body
