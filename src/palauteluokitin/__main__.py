from palauteluokitin.cli import main

main()
