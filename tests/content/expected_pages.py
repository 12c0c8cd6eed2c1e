"""What `content.parser.parse_page` must return for each page in `tests/content/pages/`.

Rules the values below follow (they are the parser's specification):

* Text is verbatim from the page with whitespace normalised: every run of spaces, tabs and
  newlines becomes one space, and the result is stripped. A step wrapped onto an indented
  continuation line (indented like the step text, with no number) is one step.
* The step numbers ("1.", "2.", ...) are not part of a step's text.
* A multi-paragraph intro is its paragraphs joined with "\n\n".
* Warnings ("Warning" or "Warnings") and tips ("Tips"): one string per paragraph, or one per
  bullet item when the section is a bulleted list; the header word itself is not included.
  They may appear anywhere on the page (after the intro, after the exercises, after
  "Things Needed", just before the footer) and never leak into steps, intro or author.
* "Things Needed": one string per bullet item, without the bullet; () when absent.
* "About the Author": the one paragraph that follows it; None when absent.
* HOW-TO RULE: when numbered steps follow the intro directly with no exercise heading, the
  page is a single-exercise how-to, and the exercise's title is the article title with a
  leading "How to " removed ("How to Do a Wall Sit" -> "Do a Wall Sit").
* None of the site chrome (tagline, category menu, "<icon> Created with Sketch." captions,
  "Cite this Article ...", "Try our awesome promobar!") appears in any field.
"""

from __future__ import annotations

EXPECTED: dict[str, dict] = {
    # Two menu entries; two-paragraph intro; steps with no exercise heading (how-to rule);
    # 7 steps; multi-sentence steps; a wrapped step; Tips as bullets; Warning after
    # Things Needed, just before the footer; no About the Author.
    "how_to_do_a_wall_sit.txt": {
        "title": "How to Do a Wall Sit",
        "intro": (
            "The wall sit is an isometric exercise: your thigh and hip muscles work hard to hold"
            " one position instead of moving through a range of motion. Because it needs nothing"
            " more than a flat wall and a few square feet of floor, it is a favorite of skiers,"
            " hikers and anyone who wants stronger quadriceps without a trip to the gym."
            "\n\n"
            "Holding the position places steady tension on the quadriceps, glutes and calves, and"
            " it teaches you to keep your knees tracking over your ankles. Start with short holds"
            " and add a few seconds each session as your legs adapt."
        ),
        "exercises": [
            {
                "title": "Do a Wall Sit",
                "steps": [
                    "Stand with your back flat against a sturdy wall and your feet about shoulder-width apart.",
                    "Walk your feet out roughly two feet in front of you, keeping your shoulders,"
                    " upper back and hips in contact with the wall.",
                    "Slide your back slowly down the wall by bending your knees. Stop when your"
                    " thighs are parallel to the floor. Your knees should sit directly above your"
                    " ankles, not in front of your toes.",
                    "Press your lower back gently into the wall and rest your hands on your thighs"
                    " or let them hang by your sides.",
                    "Hold the position for twenty to thirty seconds while breathing steadily"
                    " through your nose. Do not hold your breath, even when your thighs begin to"
                    " burn.",
                    "Push through your heels and slide back up the wall to a standing position,"
                    " then walk your feet back in.",
                    "Rest for one minute and repeat the hold two more times, adding five seconds to"
                    " each hold as your strength improves over the following weeks.",
                ],
            },
        ],
        "warnings": [
            "Stop the exercise if you feel sharp pain in your kneecap. People who have had knee"
            " surgery should ask their physical therapist how deep to sit before trying this"
            " exercise.",
        ],
        "tips": [
            "Place a folded towel behind your lower back if the wall feels cold or hard.",
            "Hold a light dumbbell on each thigh once a sixty-second hold feels easy.",
            "Set a phone timer so you are not watching the clock.",
        ],
        "things_needed": ["Wall", "Stopwatch or timer"],
        "author": None,
    },
    # One "Yoga" menu entry; 4 exercises, one of them "Cobra Stretch" (also in
    # stiff_lower_back.txt and the seed); a wrapped step; multi-sentence steps; "Warnings"
    # (plural) with two paragraphs after the exercises.
    "yoga_back_bends.txt": {
        "title": "Gentle Yoga Back Bends for Beginners",
        "intro": (
            "Hours spent sitting at a desk or behind the wheel round the upper back forward and"
            " shorten the muscles along the front of the body. Gentle back bends reverse that"
            " posture by lengthening the chest, abdomen and hip flexors while strengthening the"
            " muscles that run alongside the spine. The four poses below are suitable for"
            " beginners and can be done in sequence on a yoga mat in about ten minutes."
        ),
        "exercises": [
            {
                "title": "Cat-Cow Stretch",
                "steps": [
                    "Kneel on all fours with your hands directly under your shoulders and your"
                    " knees directly under your hips.",
                    "Inhale as you drop your belly toward the mat, lift your tailbone and look"
                    " gently upward. This is the cow position.",
                    "Exhale as you round your spine toward the ceiling, tuck your tailbone and let"
                    " your head hang toward the floor. This is the cat position.",
                    "Move slowly between the two positions, matching each movement to a full"
                    " breath, for eight to ten rounds.",
                ],
            },
            {
                "title": "Sphinx Pose",
                "steps": [
                    "Lie face down with your legs extended behind you and the tops of your feet resting on the mat.",
                    "Place your elbows under your shoulders and your forearms flat on the mat, parallel to each other.",
                    "Press your forearms down and lift your chest away from the floor, drawing"
                    " your shoulders back and away from your ears while your lower belly and hips"
                    " stay heavy on the mat.",
                    "Hold for five slow breaths, then lower your chest and rest your forehead on your stacked hands.",
                ],
            },
            {
                "title": "Cobra Stretch",
                "steps": [
                    "Lie face down with your hands flat on the mat beside your lower ribs and your"
                    " elbows tucked in against your sides.",
                    "Press the tops of your feet and your pubic bone into the mat.",
                    "Inhale and straighten your arms partway to lift your head and chest. Keep a"
                    " slight bend in your elbows. Lift only as high as you can without pinching"
                    " your lower back.",
                    "Hold for three breaths, then exhale and lower slowly back to the mat.",
                    "Repeat three to five times, lifting a little higher each time only if it feels comfortable.",
                ],
            },
            {
                "title": "Bridge Pose",
                "steps": [
                    "Lie on your back with your knees bent, your feet flat on the mat hip-width"
                    " apart and your arms resting by your sides, palms down.",
                    "Press into your feet and arms to lift your hips toward the ceiling.",
                    "Roll your shoulders underneath you and clasp your hands beneath your back if that is comfortable.",
                    "Hold for five breaths, then unclasp your hands and lower your spine to the mat"
                    " one vertebra at a time.",
                ],
            },
        ],
        "warnings": [
            "Back bends should never cause sharp or pinching pain. If you feel pain in your lower"
            " back or neck, come out of the pose slowly and rest in a neutral position.",
            "Avoid deep back bends during pregnancy or if you have a recent back injury, spinal"
            " stenosis or uncontrolled high blood pressure. Check with your doctor before starting"
            " a new yoga practice.",
        ],
        "tips": [],
        "things_needed": ["Yoga mat", "Folded blanket"],
        "author": (
            "Priya Raman is a registered yoga teacher who has led beginner and prenatal classes in"
            " Portland, Oregon, since 2011. She writes about mobility, breathing and mindful"
            " movement for community wellness newsletters and holds a Bachelor of Arts in"
            " kinesiology."
        ),
    },
    # Full seed menu; Warning right after the intro, before the first exercise; a different
    # "Cobra Stretch"; Tips as two paragraphs; no Things Needed; a step line with trailing
    # spaces and a step with a double space between sentences (normalised to one).
    "stiff_lower_back.txt": {
        "title": "Stretches to Ease a Stiff Lower Back",
        "intro": (
            "A stiff lower back often has less to do with the spine itself than with the muscles"
            " around it. Tight hamstrings, hip flexors and glutes pull on the pelvis and limit how"
            " freely the lower back can move. A short routine of gentle stretches, done once or"
            " twice a day, can restore some of that movement and make everyday tasks such as"
            " bending to tie your shoes feel easier."
        ),
        "exercises": [
            {
                "title": "Knee-to-Chest Stretch",
                "steps": [
                    "Lie on your back on a carpeted floor or mat with both knees bent and your feet flat.",
                    "Bring one knee toward your chest and hold it with both hands just below the"
                    " kneecap. Keep your other foot flat on the floor.",
                    "Hold for thirty seconds while relaxing your lower back into the floor, then switch legs.",
                    "Finish by drawing both knees to your chest together and rocking gently from"
                    " side to side for a few breaths.",
                ],
            },
            {
                "title": "Cobra Stretch",
                "steps": [
                    "Lie on your stomach with your forehead on the floor and your palms flat beneath your shoulders.",
                    "Slowly push your upper body up onto your forearms, keeping your hips and thighs on the floor.",
                    "If your back feels comfortable, straighten your arms a little further to"
                    " increase the stretch, but stop before you feel any pinching.",
                    "Hold for fifteen to twenty seconds and lower back down. Repeat five times.",
                ],
            },
            {
                "title": "Seated Spinal Twist",
                "steps": [
                    "Sit on the floor with both legs straight out in front of you.",
                    "Bend your right knee and cross your right foot over your left leg, placing it"
                    " flat on the floor beside your left knee.",
                    "Place your right hand on the floor behind you and hook your left elbow around"
                    " the outside of your right knee.",
                    "Turn your torso gently to the right, looking over your right shoulder. Sit"
                    " tall and avoid slumping as you twist.",
                    "Hold for twenty to thirty seconds, then return to the center and repeat on the other side.",
                ],
            },
        ],
        "warnings": [
            "These stretches are meant for ordinary stiffness, not for injury. See a doctor before"
            " stretching if your back pain followed a fall or accident, spreads down one leg, or"
            " comes with numbness, tingling or weakness.",
        ],
        "tips": [
            "Stretch after a short walk or a warm shower, when your muscles are already warm and"
            " more willing to lengthen.",
            "Breathe slowly and deeply throughout each stretch. Each time you exhale, try to relax"
            " a little further into the position rather than forcing it.",
        ],
        "things_needed": [],
        "author": (
            "Daniel Okafor is a physical therapist assistant and freelance health writer based in"
            " Columbus, Ohio. His articles on back care, posture and injury prevention have"
            " appeared in several regional health magazines and on outpatient clinic websites."
        ),
    },
    # Two menu entries (Cardio, Sports); only ONE exercise, under a heading; 8 steps;
    # no warning and no tips at all; the file ends with a newline after the footer.
    "jump_rope_intervals.txt": {
        "title": "A Beginner Jump Rope Interval Workout",
        "intro": (
            "Boxers have relied on the jump rope for decades because it builds footwork, timing and"
            " endurance at the same time. Short intervals of skipping separated by rest periods"
            " let beginners build up their conditioning without getting so winded that their form"
            " falls apart. This workout takes about fifteen minutes, including the warm-up."
        ),
        "exercises": [
            {
                "title": "Beginner Jump Rope Intervals",
                "steps": [
                    "Adjust the rope so that the handles reach your armpits when you stand on the"
                    " middle of the rope with one foot.",
                    "Warm up for three minutes by marching in place, circling your arms and doing a"
                    " few easy bodyweight squats.",
                    "Hold the handles at hip height with your elbows close to your sides. The"
                    " turning motion should come from your wrists, not from your shoulders.",
                    "Jump with both feet together, rising only an inch or two off the ground and"
                    " landing softly on the balls of your feet.",
                    "Skip continuously for thirty seconds. If you trip, simply reset the rope and"
                    " continue until the thirty seconds are up.",
                    "Rest for thirty seconds by walking slowly in a small circle.",
                    "Repeat the thirty-second skip and thirty-second rest cycle eight times.",
                    "Cool down by walking for two minutes and gently stretching your calves against a wall.",
                ],
            },
        ],
        "warnings": [],
        "tips": [],
        "things_needed": ["Jump rope", "Athletic shoes", "Timer"],
        "author": (
            "Marcus Bell is a certified strength and conditioning specialist and former amateur"
            " boxer. He coaches youth boxing in Baltimore and writes about conditioning, footwork"
            " and training on a budget."
        ),
    },
    # A different category set (Cardio, Yoga, Stretching, Equipment); 5 exercises, including a
    # one-word heading ("Halo") and an apostrophe ("Farmer's Carry"); a step wrapped over
    # THREE lines; a one-paragraph Tips section; "Warnings" as bullet items placed after
    # Things Needed and before About the Author.
    "kettlebell_moves.txt": {
        "title": "Five Kettlebell Moves for a Full-Body Workout",
        "intro": (
            "A single kettlebell can train nearly every major muscle group. Its handle and offset"
            " center of mass make it well suited to swinging, pressing and carrying, and the moves"
            " below can be strung together as a circuit. Beginners should start with a light bell,"
            " typically 8 to 12 kilograms, and focus on form before adding weight."
        ),
        "exercises": [
            {
                "title": "Two-Handed Swing",
                "steps": [
                    "Stand with your feet slightly wider than shoulder-width apart and the"
                    " kettlebell on the floor about a foot in front of you.",
                    "Hinge at the hips, keeping your back flat, and grip the handle with both hands.",
                    "Hike the bell back between your legs like a football snap.",
                    "Drive your hips forward explosively and squeeze your glutes so that the"
                    " kettlebell floats up to chest height. Your arms should act like ropes that"
                    " simply guide the bell; the power comes from your hips and legs, not from"
                    " lifting with your shoulders or your lower back.",
                    "Let the bell fall back between your legs, hinging at the hips again, and"
                    " repeat for ten to fifteen swings.",
                ],
            },
            {
                "title": "Goblet Squat",
                "steps": [
                    "Hold the kettlebell by the sides of the handle, close to your chest, with your"
                    " elbows pointing down.",
                    "Stand with your feet shoulder-width apart and your toes turned out slightly.",
                    "Sit back and down between your heels until your elbows brush the insides of"
                    " your knees. Keep your chest up and your weight over your midfoot.",
                    "Press through your whole foot to stand back up. Complete eight to twelve repetitions.",
                ],
            },
            {
                "title": "Single-Arm Row",
                "steps": [
                    "Place your left hand and left knee on a sturdy bench, with your back flat and"
                    " roughly parallel to the floor.",
                    "Hold the kettlebell in your right hand with your arm hanging straight down.",
                    "Pull the bell toward your hip, keeping your elbow close to your body, and"
                    " pause briefly at the top.",
                    "Lower the bell under control. Do ten repetitions, then switch sides.",
                ],
            },
            {
                "title": "Halo",
                "steps": [
                    "Stand tall and hold the kettlebell upside down by the horns, with the bottom"
                    " of the bell facing up, at chest height.",
                    "Circle the bell slowly around your head, passing it close behind your neck."
                    " Keep your ribs down and avoid arching your lower back.",
                    "Complete five circles in one direction, then five in the other.",
                ],
            },
            {
                "title": "Farmer's Carry",
                "steps": [
                    "Pick up the kettlebell in one hand using a hip hinge, as you would to start a swing.",
                    "Stand tall with your shoulders level and your free arm out to the side for balance.",
                    "Walk for thirty to forty steps, turn around and carry the bell back with the other hand.",
                ],
            },
        ],
        "warnings": [
            "Check that the area around and behind you is clear before you swing.",
            "Keep your wrists straight during goblet squats and halos to avoid straining them.",
            "Stop if you feel pain in your lower back rather than the normal effort in your hips and legs.",
        ],
        "tips": [
            "Perform the five moves in order as a circuit, resting for one minute at the end of"
            " each round, and complete three rounds.",
        ],
        "things_needed": ["Kettlebell", "Sturdy bench"],
        "author": (
            "Sofia Lindqvist is a certified kettlebell instructor and personal trainer who has"
            " taught group strength classes since 2009. She writes about strength training for"
            " beginners and is the author of a home workout guide for busy parents."
        ),
    },
    # One menu entry (Exercise); steps with no exercise heading (how-to rule); no Things
    # Needed; no About the Author; Warning after the "Cite this Article" line, at the very
    # end before the footer; the file ends with a newline after the footer.
    "how_to_hold_a_forearm_plank.txt": {
        "title": "How to Hold a Forearm Plank",
        "intro": (
            "The forearm plank trains the deep abdominal muscles, the obliques and the muscles"
            " along the spine to work together to keep your body still. Unlike crunches, it"
            " strengthens your core in the same braced position you use when you lift, push or"
            " carry something heavy."
        ),
        "exercises": [
            {
                "title": "Hold a Forearm Plank",
                "steps": [
                    "Kneel on a mat and place your forearms on the floor with your elbows directly"
                    " under your shoulders.",
                    "Step your feet back one at a time until your body forms a straight line from"
                    " your head to your heels.",
                    "Tighten your abdominal muscles as though you were about to be poked in the"
                    " stomach. Squeeze your glutes and press your forearms into the floor.",
                    "Keep your neck long by looking at the floor just in front of your hands. Do"
                    " not let your hips sag or pike up toward the ceiling.",
                    "Hold for twenty seconds, then lower your knees to the mat and rest. Work up to"
                    " three holds of sixty seconds each.",
                ],
            },
        ],
        "warnings": [
            "If your lower back starts to ache during the hold, lower your knees to the mat right"
            " away. An aching lower back usually means your hips have dropped and your back has"
            " taken over from your abdominal muscles.",
        ],
        "tips": [],
        "things_needed": [],
        "author": None,
    },
    # Two menu entries (Cardio, Stretching); two-paragraph intro; 3 exercises, one heading
    # with lower-case small words ("With a Strap"); Tips paragraph after the exercises; a
    # Warning AFTER About the Author (it must not be glued onto the author paragraph).
    "hamstring_stretches.txt": {
        "title": "Hamstring Stretches for Runners",
        "intro": (
            "Running shortens and tightens the hamstrings, the three muscles along the back of the"
            " thigh that bend the knee and extend the hip. Tight hamstrings can limit your stride"
            " length and put extra strain on your lower back."
            "\n\n"
            "The stretches below are best done after a run, when the muscles are warm. Hold each"
            " one without bouncing, and stretch both legs equally even if only one feels tight."
        ),
        "exercises": [
            {
                "title": "Standing Hamstring Stretch",
                "steps": [
                    "Stand facing a low step or sturdy bench and rest the heel of your right foot"
                    " on it, keeping your right leg straight.",
                    "Keep your back flat and hinge forward from your hips until you feel a gentle"
                    " stretch along the back of your right thigh.",
                    "Hold for thirty seconds, then switch legs.",
                ],
            },
            {
                "title": "Lying Hamstring Stretch With a Strap",
                "steps": [
                    "Lie on your back with both legs straight and loop a strap or towel around the"
                    " ball of your right foot.",
                    "Raise your right leg toward the ceiling, holding one end of the strap in each"
                    " hand. Keep your left leg flat on the floor and your knee straight.",
                    "Pull gently on the strap to bring your leg closer to you until you feel a"
                    " stretch. Hold for thirty seconds.",
                    "Lower the leg slowly and repeat on the left side.",
                ],
            },
            {
                "title": "Seated Forward Fold",
                "steps": [
                    "Sit on the floor with your legs straight out in front of you and your feet flexed.",
                    "Sit tall, then reach forward from your hips toward your feet, sliding your hands along your legs.",
                    "Stop when you feel a stretch and hold for thirty seconds, breathing slowly.",
                ],
            },
        ],
        "warnings": [
            "Do not stretch a hamstring you think you may have strained or torn. A sudden sharp"
            " pain at the back of the thigh during a run needs rest and a medical assessment, not"
            " stretching.",
        ],
        "tips": [
            "Stretch a little on rest days as well as after runs. Consistency matters more than the"
            " depth of any single stretch.",
        ],
        "things_needed": ["Low step or bench", "Strap or towel"],
        "author": (
            "Hannah Cole is a running coach certified by a national track and field organization."
            " She has completed more than twenty marathons and writes about injury prevention and"
            " training plans for recreational runners."
        ),
    },
}
