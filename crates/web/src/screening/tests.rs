use super::*;
use mantelkring_core::screening::instrument::Catalogue;

fn csi() -> Instrument {
    Catalogue::built_in().get("csi").unwrap().clone()
}

#[test]
fn a_form_gives_its_answers_question_view_and_step() {
    let form =
        AnswerForm::parse(b"csrf=x&weergave=stap&vraag=3&v3=ja&actie=volgende", &csi()).unwrap();
    assert_eq!(form.answers, vec![(2, "ja".to_string())]);
    assert_eq!(form.question, Some(3));
    assert_eq!(form.view, View::Step);
    assert_eq!(form.step, Step::Next);
    let stored = vec![None; 13];
    let applied = form.apply(&stored);
    assert_eq!(applied[2].as_deref(), Some("ja"));
    assert_eq!(applied.iter().filter(|a| a.is_some()).count(), 1);

    let list = AnswerForm::parse(b"weergave=lijst&v1=nee&v13=ja&actie=afronden", &csi()).unwrap();
    assert_eq!(list.view, View::List);
    assert_eq!(list.step, Step::Complete);
    assert_eq!(list.answers.len(), 2);
    let switch = AnswerForm::parse(b"weergave=stap&vraag=2&actie=lijst", &csi()).unwrap();
    assert_eq!(switch.step, Step::Switch(View::List));
    // Without a button: the next question (one per screen), or completing (the list).
    assert_eq!(
        AnswerForm::parse(b"weergave=stap&vraag=2&v2=ja", &csi())
            .unwrap()
            .step,
        Step::Next
    );
}

#[test]
fn answers_that_are_not_options_or_questions_are_refused() {
    for body in [
        &b"v1=misschien"[..],
        b"v0=ja",
        b"v14=ja",
        b"vx=ja",
        b"onbekend=ja",
    ] {
        assert_eq!(
            AnswerForm::parse(body, &csi()).unwrap_err(),
            FormProblem::BadAnswer,
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    assert_eq!(
        AnswerForm::parse(b"actie=weg", &csi()).unwrap_err(),
        FormProblem::Unreadable
    );
}

#[test]
fn the_question_to_show() {
    let mut answers = vec![None; 13];
    assert_eq!(question_to_show(None, &answers), 1);
    answers[0] = Some("ja".to_string());
    answers[1] = Some("nee".to_string());
    assert_eq!(question_to_show(None, &answers), 3);
    assert_eq!(question_to_show(Some(40), &answers), 13);
    assert_eq!(question_to_show(Some(5), &answers), 5);
    let all = vec![Some("ja".to_string()); 13];
    assert_eq!(first_open(&all), 13);
}
